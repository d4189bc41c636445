//! Renders explain traces: the evaluation tree of one target for one row.

use crate::eval::TraceNode;

/// An indented tree, one node per line: `Join() → "a.b"`, with notes beneath.
pub fn render_trace(nodes: &[TraceNode]) -> String {
    let mut out = String::new();
    for n in nodes {
        walk(n, "", true, true, &mut out);
    }
    out
}

fn walk(n: &TraceNode, prefix: &str, last: bool, root: bool, out: &mut String) {
    let (branch, next) = if root {
        ("", String::new())
    } else if last {
        ("└─ ", format!("{prefix}   "))
    } else {
        ("├─ ", format!("{prefix}│  "))
    };
    out.push_str(&format!("{prefix}{branch}{} → {}\n", n.label, n.result));
    for note in &n.notes {
        out.push_str(&format!("{next}   ({note})\n"));
    }
    for (i, c) in n.children.iter().enumerate() {
        walk(c, &next, i + 1 == n.children.len(), false, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_nested_calls_with_notes() {
        let t = TraceNode {
            label: "IIF()".into(),
            result: "\"x\"".into(),
            notes: vec!["took the true branch".into()],
            children: vec![
                TraceNode {
                    label: "= comparison".into(),
                    result: "True (boolean)".into(),
                    ..Default::default()
                },
                TraceNode { label: "[A]".into(), result: "\"x\"".into(), ..Default::default() },
            ],
        };
        let s = render_trace(&[t]);
        assert_eq!(
            s,
            "IIF() → \"x\"\n   (took the true branch)\n├─ = comparison → True (boolean)\n└─ [A] → \"x\"\n"
        );
    }
}
