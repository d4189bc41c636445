//! How deep evaluating each target recurses, through nested calls and chains of `let`s (E043).
//!
//! The evaluator walks a target's nodes recursively and follows a `$name` into the let's own
//! nodes, so a chain of 20,000 lets is 20,000 nested frames: enough to overflow a worker
//! thread's stack at run time although every single expression is small. The parser already
//! bounds the nesting inside one expression; this pass bounds the whole path, so nothing that
//! checks can overflow when it runs. It is iterative over the lets itself, since a chain that is
//! too deep to evaluate is also too deep to walk recursively here.

use crate::diagnostics::Diagnostic;
use crate::eval::Node;
use crate::syntax::ast::Span;

/// Deepest evaluation path accepted, counting each call, comparison and `let` hop as one
/// level. Real mappings stay under 30; the parser lets one expression nest 64 calls. Measured
/// on a worker thread's 2 MiB stack with chains of lets over 15 functions, `Replace` having the
/// largest frames: an unoptimised build overflowed past about 450 levels, opt-level 1 past
/// 1,400. 200 keeps more than twice the margin of the worst case measured.
pub const MAX_EVAL_DEPTH: u32 = 200;

/// Depth of every let's evaluation (lets inside a cycle count their cyclic edge as 0: E042
/// reports those). Computed without recursion over the chain.
pub(crate) fn let_depths(lets: &[Node]) -> Vec<u32> {
    const TODO: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![TODO; lets.len()];
    let mut depth = vec![0u32; lets.len()];
    for root in 0..lets.len() {
        if state[root] != TODO {
            continue;
        }
        state[root] = OPEN;
        let mut stack = vec![root];
        while let Some(&i) = stack.last() {
            let mut deps = Vec::new();
            lets[i].lets(&mut deps);
            let pending: Vec<usize> =
                deps.into_iter().filter(|&d| d < lets.len() && state[d] == TODO).take(1).collect();
            // One dependency at a time, so OPEN means "on the current path": meeting an OPEN
            // let is a cycle, never a sibling still waiting.
            match pending.first() {
                None => {
                    depth[i] = node_depth(&lets[i], &depth, &state);
                    state[i] = DONE;
                    stack.pop();
                }
                Some(&d) => {
                    state[d] = OPEN;
                    stack.push(d);
                }
            }
        }
    }
    depth
}

/// Levels below `node`, with a let reference costing one level plus its own depth. Recursion
/// here follows one expression's nesting only, which the parser bounds.
fn node_depth(node: &Node, lets: &[u32], state: &[u8]) -> u32 {
    match node {
        Node::Let(i) => {
            // A let still open is part of a cycle (E042); its depth is not known yet.
            let done = state.get(*i).is_some_and(|&s| s == 2);
            1 + if done { lets[*i] } else { 0 }
        }
        Node::Call(c) => {
            1 + c.args.iter().flatten().map(|a| node_depth(a, lets, state)).max().unwrap_or(0)
        }
        Node::Compare(c) => 1 + node_depth(&c.1, lets, state).max(node_depth(&c.2, lets, state)),
        _ => 0,
    }
}

/// E043 where an evaluation path first crosses [`MAX_EVAL_DEPTH`]: at the let (or target) that
/// is too deep while everything it reads is not, so a long chain gives one error, not one per let.
pub(crate) fn check_depth(
    lets: &[Node],
    let_names: &[String],
    let_spans: &[Span],
    targets: &[(&Node, &Span)],
    diags: &mut Vec<Diagnostic>,
) {
    let depths = let_depths(lets);
    let done = vec![2u8; lets.len()];
    let over = |node: &Node| {
        let mut deps = Vec::new();
        node.lets(&mut deps);
        let d = node_depth(node, &depths, &done);
        let root = d > MAX_EVAL_DEPTH
            && deps.iter().all(|&l| depths.get(l).is_none_or(|&x| x <= MAX_EVAL_DEPTH));
        root.then_some(d)
    };
    let report = |d: u32, node: &Node, span: &Span, what: String| {
        Diagnostic::error(
            "E043",
            format!("{what} is {d} levels deep when evaluated; the limit is {MAX_EVAL_DEPTH}"),
        )
        .label(span.clone(), "the chain of lets and nested calls gets too deep here")
        .help(format!(
            "{}each `$name` and each call is a level; join steps into fewer lets \
             or flatten nested calls, so evaluation cannot overflow the stack",
            chain(node, lets, let_names, &depths)
        ))
    };
    for (i, node) in lets.iter().enumerate() {
        if let (Some(d), Some(span)) = (over(node), let_spans.get(i)) {
            diags.push(report(d, node, span, format!("'${}'", let_names[i])));
        }
    }
    for (node, span) in targets {
        if let Some(d) = over(node) {
            diags.push(report(d, node, span, "this target".into()));
        }
    }
}

/// The deepest let path from `node`, shortened: "it reads $a -> $b -> … -> $z; ".
fn chain(node: &Node, lets: &[Node], names: &[String], depths: &[u32]) -> String {
    let deepest = |n: &Node| {
        let mut deps = Vec::new();
        n.lets(&mut deps);
        deps.into_iter().filter(|&l| l < lets.len()).max_by_key(|&l| depths[l])
    };
    let mut path = Vec::new();
    let mut at = deepest(node);
    while let Some(l) = at {
        if path.contains(&l) || path.len() > lets.len() {
            break;
        }
        path.push(l);
        at = deepest(&lets[l]);
    }
    if path.is_empty() {
        return String::new();
    }
    let name = |l: &usize| format!("${}", names[*l]);
    let shown = if path.len() <= 5 {
        path.iter().map(name).collect::<Vec<_>>().join(" -> ")
    } else {
        let head: Vec<String> = path[..3].iter().map(name).collect();
        format!(
            "{} -> … ({} more) -> {}",
            head.join(" -> "),
            path.len() - 4,
            name(&path[path.len() - 1])
        )
    };
    format!("it reads {shown}; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_file, CheckOptions};

    fn chained(n: usize, shape: &str) -> String {
        let mut src = String::from("let l0 = [a]\n");
        for i in 1..n {
            src.push_str(&format!("let l{i} = {}\n", shape.replace('P', &format!("$l{}", i - 1))));
        }
        src.push_str(&format!("externalId = $l{}\nuserName = [a]\nactive = \"true\"\n", n - 1));
        src
    }

    fn codes(src: &str) -> Vec<&'static str> {
        let opts = CheckOptions { headers: Some(vec!["a".into()]), ..Default::default() };
        check_file(src, &opts).diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn chains_count_each_let_and_call() {
        // l0 = 0, then each `Trim($prev)` adds a call and a hop.
        let checked = check_file(&chained(4, "Trim(P)"), &CheckOptions::default());
        let prog = checked.program.unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
        assert_eq!(let_depths(&prog.lets), vec![0, 2, 4, 6]);
    }

    #[test]
    fn a_chain_just_under_the_limit_passes_and_one_over_is_reported_once() {
        // The target adds one hop: n lets of Trim give 2(n-1) + 1 levels.
        let ok = (MAX_EVAL_DEPTH as usize - 1) / 2 + 1;
        assert_eq!(codes(&chained(ok, "Trim(P)")), Vec::<&str>::new());
        assert_eq!(codes(&chained(ok + 1, "Trim(P)")), ["E043"]);
        assert_eq!(codes(&chained(5_000, "Trim(P)")), ["E043"]);
    }

    #[test]
    fn the_message_names_the_chain() {
        let opts = CheckOptions { headers: Some(vec!["a".into()]), ..Default::default() };
        let checked = check_file(&chained(300, "Trim(P)"), &opts);
        let d = &checked.diagnostics[0];
        assert_eq!(d.code, "E043");
        assert!(d.message.contains("'$l101' is 202 levels deep"), "{}", d.message);
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.contains("it reads $l100 -> $l99 -> $l98 -> … (97 more) -> $l0"), "{help}");
    }

    #[test]
    fn cycles_and_undefined_lets_do_not_hang_or_count_twice() {
        let src = "let a = Trim($b)\nlet b = Trim($a)\nexternalId = $a\nuserName = [a]\nactive = \"true\"\n";
        assert_eq!(codes(src), ["E042"]);
    }
}
