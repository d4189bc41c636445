//! Checks over the file's `let` bindings as a whole: cycles (E042) and unused lets (W001), and
//! the columns a target reads through them. (Evaluation depth through lets, E043: `depth.rs`.)

use super::program::Target;
use crate::diagnostics::Diagnostic;
use crate::eval::Node;
use crate::syntax::ast::Span;

/// Columns in the order an evaluation reads them, expanding `let`s where they are used (previews
/// list a target's source columns in this order).
pub(crate) fn collect_columns(
    node: &Node,
    lets: &[Node],
    cols: &mut Vec<usize>,
    seen: &mut Vec<usize>,
) {
    match node {
        Node::Column(c) if !cols.contains(c) => cols.push(*c),
        Node::Let(l) if !seen.contains(l) && *l < lets.len() => {
            seen.push(*l);
            collect_columns(&lets[*l], lets, cols, seen);
        }
        Node::Call(c) => c.args.iter().flatten().for_each(|a| collect_columns(a, lets, cols, seen)),
        Node::Compare(c) => {
            collect_columns(&c.1, lets, cols, seen);
            collect_columns(&c.2, lets, cols, seen);
        }
        _ => {}
    }
}

pub(crate) fn check_let_cycles(
    lets: &[Node],
    names: &[String],
    spans: &[Span],
    diags: &mut Vec<Diagnostic>,
) {
    // Depth-first search with colours; each cycle is reported once, at its first member. The
    // walk keeps its own stack: a chain of lets can be far deeper than the thread's stack.
    let mut state = vec![0u8; lets.len()];
    let deps_of = |i: usize| {
        let mut deps = Vec::new();
        lets[i].lets(&mut deps);
        deps
    };
    let mut found: Vec<Vec<usize>> = Vec::new();
    for root in 0..lets.len() {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        // (let, its dependencies, the next one to look at)
        let mut frames = vec![(root, deps_of(root), 0usize)];
        while let Some((i, deps, next)) = frames.last_mut() {
            let Some(&d) = deps.get(*next) else {
                state[*i] = 2;
                frames.pop();
                continue;
            };
            *next += 1;
            if d >= lets.len() {
                continue;
            }
            if state[d] == 1 {
                let stack: Vec<usize> = frames.iter().map(|f| f.0).collect();
                let pos = stack
                    .iter()
                    .position(|&s| s == d)
                    .expect("a let in state 1 is being visited, so it is on the stack");
                found.push(stack[pos..].to_vec());
            } else if state[d] == 0 {
                state[d] = 1;
                frames.push((d, deps_of(d), 0));
            }
        }
    }
    for cycle in found {
        let path: Vec<String> =
            cycle.iter().chain(cycle.first()).map(|&i| format!("${}", names[i])).collect();
        let mut d = Diagnostic::error("E042", format!("let cycle: {}", path.join(" -> ")));
        for &i in &cycle {
            d = d.label(spans[i].clone(), "part of the cycle");
        }
        diags.push(d.help("a let cannot depend on itself, directly or through other lets"));
    }
}

pub(crate) fn check_unused_lets(
    lets: &[Node],
    targets: &[Target],
    names: &[String],
    spans: &[Span],
    diags: &mut Vec<Diagnostic>,
) {
    // A flag per let, not a list searched per let: 20,000 lets made that 400 million compares.
    let mut used = vec![false; names.len()];
    let mut mark = |deps: Vec<usize>, except: Option<usize>| {
        for d in deps.into_iter().filter(|&d| Some(d) != except) {
            if let Some(u) = used.get_mut(d) {
                *u = true;
            }
        }
    };
    for t in targets {
        let mut deps = Vec::new();
        t.node.lets(&mut deps);
        mark(deps, None);
    }
    for (i, l) in lets.iter().enumerate() {
        let mut deps = Vec::new();
        l.lets(&mut deps);
        mark(deps, Some(i));
    }
    for (i, name) in names.iter().enumerate() {
        if !used[i] {
            diags.push(
                Diagnostic::warning("W001", format!("'${name}' is defined but never used"))
                    .label(spans[i].clone(), "unused")
                    .help("remove it, or use it in a target"),
            );
        }
    }
}

/// How many `$name` references each let has across targets and other lets. The evaluator uses
/// it to skip caching a let read once and to move (not clone) a cached value on its last read.
pub(crate) fn count_let_uses(targets: &[Target], lets: &[Node]) -> Vec<u32> {
    fn walk(node: &Node, counts: &mut [u32]) {
        match node {
            Node::Let(i) => {
                if let Some(c) = counts.get_mut(*i) {
                    *c = c.saturating_add(1);
                }
            }
            Node::Call(c) => c.args.iter().flatten().for_each(|a| walk(a, counts)),
            Node::Compare(c) => {
                walk(&c.1, counts);
                walk(&c.2, counts);
            }
            _ => {}
        }
    }
    let mut counts = vec![0; lets.len()];
    for n in targets.iter().map(|t| &t.node).chain(lets) {
        walk(n, &mut counts);
    }
    counts
}
