//! .NET regular-expression behaviour on top of fancy-regex, for Replace (reference §5): pattern
//! rewrites (`\<` `\>`, `$` and `\Z` before a final newline), .NET group numbering, .NET
//! substitutions (`$1`, `${name}`, `$$`, unknown names left literal), and the .NET match loop,
//! which allows an empty match right where the previous match ended.

use std::borrow::Cow;

use fancy_regex::{Captures, Regex, RegexBuilder};

use super::net_regex_class::AsciiClass;

/// A compiled .NET pattern.
pub struct NetRegex {
    /// Used when the text has no newline, where .NET's `$` is plain end of text (faster).
    plain: Regex,
    /// With `$`/`\Z` rewritten to also match before a final `\n`; `None` when identical.
    exact: Option<Regex>,
    /// .NET group number to fancy-regex group index (unnamed groups first, then named).
    net_to_idx: Vec<usize>,
    names: Vec<(String, usize)>,
    /// Set when the pattern is one character class: ASCII text is then replaced by table.
    class: Option<AsciiClass>,
}

/// Rewrite a .NET pattern for fancy-regex. `exact_end` turns `$` and `\Z` into "end, or before a
/// final newline"; otherwise they become plain end of text.
fn translate(pattern: &str, exact_end: bool) -> String {
    let end = if exact_end { r"(?=\n?\z)" } else { r"\z" };
    // Inline multi-line mode gives `$` another meaning; leave it to the engine then.
    let multiline = pattern.contains("(?m") || pattern.contains("(?im") || pattern.contains("(?sm");
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_class_start = std::mem::take(&mut class_start);
        match c {
            '\\' => match chars.next() {
                // fancy-regex reads \< and \> as word boundaries; in .NET they are the characters.
                Some(l @ ('<' | '>')) => out.push(l),
                Some('Z') if !in_class => out.push_str(end),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if in_class && !at_class_start => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class && !multiline => out.push_str(end),
            other => out.push(other),
        }
    }
    out
}

fn not_applied(e: fancy_regex::Error) -> String {
    format!("the regular expression could not be applied to this value: {e}")
}

/// Where the search after the match `start..end` begins: its end, or a character later after an
/// empty match; `None` at the end of the text.
fn after(text: &str, start: usize, end: usize) -> Option<usize> {
    if end > start {
        return Some(end);
    }
    text[end..].chars().next().map(|ch| end + ch.len_utf8())
}

fn build(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern).build().map_err(|e| e.to_string())
}

impl NetRegex {
    pub fn new(pattern: &str) -> Result<NetRegex, String> {
        let plain_src = translate(pattern, false);
        let exact_src = translate(pattern, true);
        let plain = build(&plain_src)
            .map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))?;
        let exact = if exact_src != plain_src { Some(build(&exact_src)?) } else { None };
        let mut unnamed = Vec::new();
        let mut names = Vec::new();
        for (i, n) in plain.capture_names().enumerate().skip(1) {
            match n {
                Some(n) => names.push((n.to_string(), i)),
                None => unnamed.push(i),
            }
        }
        let mut net_to_idx = vec![0];
        net_to_idx.extend(unnamed);
        net_to_idx.extend(names.iter().map(|(_, i)| *i));
        let class = if exact.is_none() { AsciiClass::of(&plain_src, &plain) } else { None };
        Ok(NetRegex { plain, exact, net_to_idx, names, class })
    }

    fn pick(&self, text: &str) -> &Regex {
        match &self.exact {
            Some(re) if text.contains('\n') => re,
            _ => &self.plain,
        }
    }

    /// The fancy-regex index of a group given by name or by .NET number.
    pub fn group(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
            .or_else(|| name.parse::<usize>().ok().and_then(|n| self.net_to_idx.get(n).copied()))
    }

    fn number(&self, n: usize) -> Option<usize> {
        self.net_to_idx.get(n).copied()
    }

    /// Calls `f` for every match, the .NET way: after a non-empty match the next search starts
    /// where it ended (so an empty match may follow); after an empty one, a character later.
    fn each_match<'t>(
        &self,
        text: &'t str,
        mut f: impl FnMut(&Captures<'t>),
    ) -> Result<(), String> {
        let re = self.pick(text);
        let mut pos = Some(0);
        while let Some(from) = pos.filter(|&p| p <= text.len()) {
            let Some(c) = re.captures_from_pos(text, from).map_err(not_applied)? else { break };
            let Some(m) = c.get(0) else { break };
            f(&c);
            pos = after(text, m.start(), m.end());
        }
        Ok(())
    }

    /// Like [`NetRegex::each_match`] with only the match spans: a search without captures
    /// allocates nothing, where captures cost an allocation per value.
    fn each_span(&self, text: &str, mut f: impl FnMut(usize, usize)) -> Result<(), String> {
        let re = self.pick(text);
        let mut pos = Some(0);
        while let Some(from) = pos.filter(|&p| p <= text.len()) {
            let Some(m) = re.find_from_pos(text, from).map_err(not_applied)? else { break };
            f(m.start(), m.end());
            pos = after(text, m.start(), m.end());
        }
        Ok(())
    }

    /// `Regex.Replace(text, pattern, replacement)` with .NET substitutions.
    pub fn replace<'t>(&self, text: Cow<'t, str>, rep: &[Piece]) -> Result<Cow<'t, str>, String> {
        // A replacement of plain text (the usual "remove these characters") needs no groups.
        if !rep.iter().all(|p| matches!(p, Piece::Lit(_))) {
            return self.replace_with_captures(text, rep);
        }
        let literal = || {
            rep.iter().filter_map(|p| if let Piece::Lit(l) = p { Some(l.as_str()) } else { None })
        };
        let text = match &self.class {
            Some(class) => {
                // One piece (the usual case) is borrowed; only several are joined.
                let with: Cow<str> = match rep {
                    [Piece::Lit(l)] => Cow::Borrowed(l),
                    _ => literal().collect(),
                };
                match class.replace(text, &with) {
                    Ok(done) => return Ok(done),
                    // Not ASCII: the regex decides.
                    Err(text) => text,
                }
            }
            None => text,
        };
        let mut out = String::new();
        let mut last = 0;
        let mut any = false;
        self.each_span(&text, |start, end| {
            if !any {
                out.reserve(text.len());
            }
            any = true;
            out.push_str(&text[last..start]);
            literal().for_each(|l| out.push_str(l));
            last = end;
        })?;
        if !any {
            return Ok(text);
        }
        out.push_str(&text[last..]);
        Ok(Cow::Owned(out))
    }

    fn replace_with_captures<'t>(
        &self,
        text: Cow<'t, str>,
        rep: &[Piece],
    ) -> Result<Cow<'t, str>, String> {
        let mut out = String::new();
        let mut last = 0;
        let mut any = false;
        self.each_match(&text, |c| {
            let Some(m) = c.get(0) else { return };
            any = true;
            out.push_str(&text[last..m.start()]);
            expand(rep, c, &text, &mut out);
            last = m.end();
        })?;
        if !any {
            return Ok(text);
        }
        out.push_str(&text[last..]);
        Ok(Cow::Owned(out))
    }

    /// In every match, replace only the span captured by group `g` with `value` (reading A6a).
    pub fn replace_group<'t>(
        &self,
        text: Cow<'t, str>,
        g: usize,
        value: &str,
    ) -> Result<Cow<'t, str>, String> {
        let mut out = String::new();
        let mut last = 0;
        let mut any = false;
        self.each_match(&text, |c| {
            if let Some(span) = c.get(g).filter(|s| s.start() >= last) {
                any = true;
                out.push_str(&text[last..span.start()]);
                out.push_str(value);
                last = span.end();
            }
        })?;
        if !any {
            return Ok(text);
        }
        out.push_str(&text[last..]);
        Ok(Cow::Owned(out))
    }

    /// The text group `g` captured in the first match, if any.
    pub fn first_group(&self, text: &str, g: usize) -> Result<Option<String>, String> {
        let caps = self
            .pick(text)
            .captures(text)
            .map_err(|e| format!("the regular expression could not be applied: {e}"))?;
        Ok(caps.and_then(|c| c.get(g).map(|m| m.as_str().to_string())))
    }

    /// Parse a .NET replacement string against this pattern's groups.
    pub fn substitution(&self, rep: &str) -> Vec<Piece> {
        parse_substitution(rep, self)
    }
}

/// One part of a parsed .NET replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// A group by fancy-regex index (`$0` is 0, the whole match).
    Group(usize),
    /// `` $` ``: the text before the match.
    Before,
    /// `$'`: the text after the match.
    After,
    /// `$_`: the whole input.
    Input,
}

fn parse_substitution(rep: &str, re: &NetRegex) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut lit = String::new();
    let b = rep.as_bytes();
    let mut i = 0;
    let push = |p: Piece, lit: &mut String, out: &mut Vec<Piece>| {
        if !lit.is_empty() {
            out.push(Piece::Lit(std::mem::take(lit)));
        }
        out.push(p);
    };
    while i < b.len() {
        if b[i] != b'$' || i + 1 == b.len() {
            let ch = rep[i..].chars().next().unwrap_or('$');
            lit.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let next = b[i + 1];
        match next {
            b'$' => {
                lit.push('$');
                i += 2;
            }
            b'&' => {
                push(Piece::Group(0), &mut lit, &mut out);
                i += 2;
            }
            b'`' | b'\'' | b'+' | b'_' => {
                let p = match next {
                    b'`' => Piece::Before,
                    b'\'' => Piece::After,
                    // The highest-numbered group in .NET's numbering (the match without groups).
                    b'+' => Piece::Group(re.net_to_idx.last().copied().unwrap_or(0)),
                    _ => Piece::Input,
                };
                push(p, &mut lit, &mut out);
                i += 2;
            }
            b'{' => {
                let close = rep[i + 2..].find('}');
                let name = close.map(|c| &rep[i + 2..i + 2 + c]);
                let valid = name.filter(|n| {
                    !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_')
                });
                let group = valid.and_then(|n| {
                    if n.bytes().all(|d| d.is_ascii_digit()) {
                        n.parse().ok().and_then(|k| re.number(k))
                    } else {
                        re.names.iter().find(|(x, _)| x == n).map(|(_, g)| *g)
                    }
                });
                match (group, close) {
                    (Some(g), Some(c)) => {
                        push(Piece::Group(g), &mut lit, &mut out);
                        i += 3 + c;
                    }
                    // .NET leaves an unknown `${name}` as literal text.
                    _ => {
                        lit.push('$');
                        i += 1;
                    }
                }
            }
            b'0'..=b'9' => {
                // The longest run of digits that names an existing group (.NET ScanDollar).
                let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                let mut best = None;
                let mut n: usize = 0;
                for k in 0..digits.min(9) {
                    n = n * 10 + usize::from(b[i + 1 + k] - b'0');
                    if let Some(g) = re.number(n) {
                        best = Some((g, k + 1));
                    }
                }
                match best {
                    Some((g, len)) => {
                        push(Piece::Group(g), &mut lit, &mut out);
                        i += 1 + len;
                    }
                    None => {
                        lit.push('$');
                        i += 1;
                    }
                }
            }
            _ => {
                lit.push('$');
                i += 1;
            }
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

fn expand(rep: &[Piece], c: &Captures<'_>, text: &str, out: &mut String) {
    let Some(m) = c.get(0) else { return };
    for p in rep {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Group(g) => out.push_str(c.get(*g).map_or("", |x| x.as_str())),
            Piece::Before => out.push_str(&text[..m.start()]),
            Piece::After => out.push_str(&text[m.end()..]),
            Piece::Input => out.push_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_replacements_skip_captures_with_the_same_result() {
        let cases = [
            ("[^A-Za-z0-9.\\-']", "Zoë O'Brien-Smith Jr.", ""),
            ("x*", "abxxc", "-"),
            ("", "héllo", "|"),
            ("$", "a\nb\n", "!"),
            ("\\s+", "  two  words ", "_"),
            ("z", "no match here", "Z"),
        ];
        for (pattern, text, r) in cases {
            let re = NetRegex::new(pattern).unwrap();
            let pieces = re.substitution(r);
            assert!(pieces.iter().all(|p| matches!(p, Piece::Lit(_))), "{r}");
            let fast = re.replace(Cow::Borrowed(text), &pieces).unwrap();
            let general = re.replace_with_captures(Cow::Borrowed(text), &pieces).unwrap();
            assert_eq!(fast, general, "{pattern} on {text:?}");
        }
    }

    fn rep(pattern: &str, text: &str, r: &str) -> String {
        let re = NetRegex::new(pattern).unwrap();
        let pieces = re.substitution(r);
        re.replace(Cow::Borrowed(text), &pieces).unwrap().into_owned()
    }

    #[test]
    fn empty_match_after_match_like_dotnet() {
        assert_eq!(rep("a*", "aab", "-"), "--b-");
        assert_eq!(rep("x*", "ab", "-"), "-a-b-");
        assert_eq!(rep("a*", "", "-"), "-");
        assert_eq!(rep("é*", "ééb", "-"), "--b-");
    }

    #[test]
    fn substitutions() {
        assert_eq!(
            rep(r"(?<id>\w+)@(?<dom>.+)", "jd@contoso.com", "${dom}/${id}"),
            "contoso.com/jd"
        );
        assert_eq!(rep(r"(\w)(\w)", "ab", "$2$1$$"), "ba$");
        assert_eq!(rep(r"(\w)", "ab", "$0$1"), "aabb");
        assert_eq!(rep(r"(\w)", "a", "${nosuch}|$9|$x|$"), "${nosuch}|$9|$x|$");
        assert_eq!(rep(r"(\w)", "a", "$10"), "a0");
        assert_eq!(rep(r"b", "abc", "[$`|$'|$_|$&]"), "a[a|c|abc|b]c");
        // .NET numbers unnamed groups before named ones.
        assert_eq!(rep(r"(?<n>a)(b)", "ab", "$1$2"), "ba");
        assert_eq!(rep(r"(?<n>a)(b)", "ab", "$+"), "a");
    }

    #[test]
    fn pattern_rewrites() {
        let sam = r"[\/\\\[\]\:\;\|\=\,\+\*\?\<\>]";
        assert_eq!(rep(sam, "a<b>c/d\\e[f]g:h;i|j=k,l+m*n?o", ""), "abcdefghijklmno");
        assert_eq!(rep(r"a\>", "a>", "x"), "x");
        assert_eq!(rep("b$", "ab\n", "X"), "aX\n");
        assert_eq!(rep("b$", "ab", "X"), "aX");
        assert_eq!(rep(r"b\Z", "ab\n", "X"), "aX\n");
        assert_eq!(rep("[$]", "a$", "D"), "aD");
        assert_eq!(rep("[]a]", "]a", "-"), "--");
        let err = NetRegex::new("(unclosed").err().unwrap_or_default();
        assert!(err.contains("not a valid regular expression"), "{err}");
    }

    #[test]
    fn groups() {
        let re = NetRegex::new(r"(?<streetNumber>^\d*)").unwrap();
        let g = re.group("streetNumber").unwrap();
        let out = re.replace_group(Cow::Borrowed("545 Tremont Street"), g, "888").unwrap();
        assert_eq!(out, "888 Tremont Street");
        assert_eq!(re.group("nosuch"), None);
        let re = NetRegex::new(r"\+(?<isdCode>\d* )(?<phoneNumber>.*)").unwrap();
        let g = re.group("phoneNumber").unwrap();
        assert_eq!(
            re.first_group("+1 (999) 888-7777", g).unwrap().as_deref(),
            Some("(999) 888-7777")
        );
        assert_eq!(re.first_group("none", g).unwrap(), None);
    }
}
