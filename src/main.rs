//! The `hr2scim` binary: parse arguments, run the command, exit with its code.

#![forbid(unsafe_code)]

fn main() {
    let code = hr2scim::cli::main();
    std::process::exit(code);
}
