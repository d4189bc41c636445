//! The typed syntax tree of a mapping file. Every node carries the byte span it came from, so the
//! checker and the renderer can point at it; nothing here knows about pest.

pub use crate::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// A whole `.map` file, in source order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappingFile {
    pub statements: Vec<Statement>,
}

/// One top-level statement (the grammar's `item`; named apart from `input::Item`, a row).
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Extension(ExtensionDecl),
    Let(LetDecl),
    Assign(Assignment),
    Test(TestBlock),
}

/// `extension hr = "urn:..." { hireDate: dateTime, grade: integer }`
#[derive(Debug, Clone, PartialEq)]
pub struct ExtensionDecl {
    pub alias: Spanned<String>,
    pub urn: Spanned<String>,
    /// Declared attribute types (`name: type`); undeclared attributes are strings.
    pub attributes: Vec<(Spanned<String>, Spanned<String>)>,
    pub span: Span,
}

/// `let NAME = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Spanned<String>,
    pub expr: Spanned<Expr>,
    pub span: Span,
}

/// `TARGET = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub target: Spanned<TargetPath>,
    pub expr: Spanned<Expr>,
    pub span: Span,
}

/// A SCIM target path as written, before it is resolved against the schema.
///
/// `emails[type eq "work" and primary eq true].value` is
/// `{ prefix: None, attr: "emails", filter: [("type","work"),("primary","true")], sub: Some("value") }`;
/// `enterprise:manager.value` has `prefix: Some("enterprise")`; a full URN path has the URN as prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetPath {
    pub prefix: Option<String>,
    pub attr: String,
    pub filter: Vec<(String, String)>,
    pub sub: Option<String>,
    /// The path exactly as written, for messages.
    pub text: String,
}

/// Comparison operators, allowed inside IIF conditions and CBool arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `"text"` after unescaping `\"` and `\\` (other backslashes are kept).
    Str(String),
    /// Integers and `&H` hex literals.
    Int(i64),
    Dec(f64),
    /// `[Column]`: everything between the brackets, verbatim.
    Column(String),
    /// `$name`
    LetRef(String),
    /// A bare identifier: `vbTextCompare`, `IgnoreObjectFlow`, ...
    Keyword(String),
    /// `Name(args)`. A blank slot (`, ,`) is `None`, distinct from `Some("")`.
    Call {
        name: Spanned<String>,
        args: Vec<Option<Spanned<Expr>>>,
    },
    Compare {
        op: CompareOp,
        lhs: Box<Spanned<Expr>>,
        rhs: Box<Spanned<Expr>>,
    },
}

/// `test "name" { given {...} expect ... }` blocks (authoring issue); parsed here so `check` sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct TestBlock {
    pub name: Spanned<String>,
    pub given: Vec<(Spanned<String>, Spanned<GivenValue>)>,
    pub options: Vec<(Spanned<String>, Spanned<String>)>,
    pub expects: Vec<Spanned<Expectation>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GivenValue {
    Str(String),
    Null,
    List(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// `expect TARGET = VALUE` with a JSON-like literal (string, number, true/false, null).
    Equals(Spanned<TargetPath>, serde_json::Value),
    /// `expect TARGET is omitted`
    Omitted(Spanned<TargetPath>),
    /// `expect rejected "text"`
    Rejected(String),
    /// `expect skipped`
    Skipped,
}
