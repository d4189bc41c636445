//! The compiled form of an expression: what the checker produces and the evaluator walks.
//! Columns are resolved to indices and call sites carry their prepared state, so nothing is looked
//! up by name per row.

use std::fmt;

use super::function::{Function, Prepared};
use crate::span::Span;
use crate::syntax::ast::CompareOp;

/// Bare keywords of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    VbTextCompare,
    VbBinaryCompare,
    IgnoreAttributeFlow,
    IgnoreObjectFlow,
    /// ConvertFromBase64's encodings (Entra cloud sync).
    Unicode,
    Utf8,
    Ascii,
}

impl Keyword {
    pub const ALL: [Keyword; 7] = [
        Keyword::VbTextCompare,
        Keyword::VbBinaryCompare,
        Keyword::IgnoreAttributeFlow,
        Keyword::IgnoreObjectFlow,
        Keyword::Unicode,
        Keyword::Utf8,
        Keyword::Ascii,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Keyword::VbTextCompare => "vbTextCompare",
            Keyword::VbBinaryCompare => "vbBinaryCompare",
            Keyword::IgnoreAttributeFlow => "IgnoreAttributeFlow",
            Keyword::IgnoreObjectFlow => "IgnoreObjectFlow",
            Keyword::Unicode => "Unicode",
            Keyword::Utf8 => "UTF8",
            Keyword::Ascii => "ASCII",
        }
    }

    /// `IgnoreAttributeFlow` and `IgnoreObjectFlow` steer the flow; the others are values that
    /// some parameters take (`vbTextCompare` for InStr, `UTF8` for ConvertFromBase64).
    pub fn is_flow(self) -> bool {
        matches!(self, Keyword::IgnoreAttributeFlow | Keyword::IgnoreObjectFlow)
    }

    /// Keywords match case-insensitively, like function names (reference A1).
    pub fn lookup(name: &str) -> Option<Keyword> {
        Keyword::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

pub enum Node {
    Str(Box<str>),
    Int(i64),
    Dec(f64),
    Keyword(Keyword),
    /// Index into the program's column list.
    Column(usize),
    /// Index into the program's `let` list.
    Let(usize),
    Call(Box<CallNode>),
    Compare(Box<(CompareOp, Node, Node)>),
}

pub struct CallNode {
    pub func: &'static dyn Function,
    /// `None` is a blank slot.
    pub args: Vec<Option<Node>>,
    pub prepared: Option<Prepared>,
    pub span: Span,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Str(s) => write!(f, "{s:?}"),
            Node::Int(i) => write!(f, "{i}"),
            Node::Dec(d) => write!(f, "{d}"),
            Node::Keyword(k) => f.write_str(k.name()),
            Node::Column(i) => write!(f, "col#{i}"),
            Node::Let(i) => write!(f, "let#{i}"),
            Node::Compare(c) => write!(f, "({:?} {} {:?})", c.1, c.0.as_str(), c.2),
            Node::Call(c) => {
                write!(f, "{}(", c.func.spec().name)?;
                for (i, a) in c.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(a) = a {
                        write!(f, "{a:?}")?;
                    }
                }
                f.write_str(")")
            }
        }
    }
}

impl Node {
    /// Every column index this node reads, directly (not through `let`s).
    pub fn columns(&self, out: &mut Vec<usize>) {
        match self {
            Node::Column(i) if !out.contains(i) => out.push(*i),
            Node::Call(c) => c.args.iter().flatten().for_each(|a| a.columns(out)),
            Node::Compare(c) => {
                c.1.columns(out);
                c.2.columns(out);
            }
            _ => {}
        }
    }

    /// Every `let` index this node reads directly.
    pub fn lets(&self, out: &mut Vec<usize>) {
        match self {
            Node::Let(i) if !out.contains(i) => out.push(*i),
            Node::Call(c) => c.args.iter().flatten().for_each(|a| a.lets(out)),
            Node::Compare(c) => {
                c.1.lets(out);
                c.2.lets(out);
            }
            _ => {}
        }
    }
}
