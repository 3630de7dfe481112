//! A C tokenizer good enough for kernel sources, and nothing more.
//!
//! It does not preprocess: directives come out as one token each (with
//! their backslash continuations and comments), comments come out as tokens
//! so that kernel-doc can be attached to the definition that follows. It
//! never fails: an unterminated comment runs to the end of the input and is
//! reported through [`Lexer::unterminated_comment`]; an unterminated string
//! or character literal ends at the end of its line (the text inside an
//! `#if 0` block need not be C).

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Identifier or keyword.
    Ident,
    /// Number (any C form, loosely).
    Number,
    /// String literal, quotes included.
    Str,
    /// Character literal, quotes included.
    Char,
    /// One punctuation byte.
    Punct,
    /// A whole preprocessor line, `#` to end of line, continuations included.
    Directive,
    /// `/* */` comment (`/** */` included).
    BlockComment,
    /// `//` comment.
    LineComment,
}

/// A token: a byte range of the source and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of the first byte.
    pub line: u32,
    /// 1-based column of the first byte.
    pub col: u32,
}

impl Token {
    /// The token's text in `src`.
    pub fn text(self, src: &str) -> &str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// Whether it is the punctuation byte `c`.
    pub fn is_punct(self, src: &str, c: u8) -> bool {
        self.kind == Kind::Punct && src.as_bytes().get(self.start) == Some(&c)
    }

    /// Whether it is a comment.
    pub fn is_comment(self) -> bool {
        matches!(self.kind, Kind::BlockComment | Kind::LineComment)
    }

    /// The line of the last byte.
    pub fn end_line(self, src: &str) -> u32 {
        let nl = src.as_bytes()[self.start..self.end.min(src.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line + nl as u32
    }
}

/// Iterator over the tokens of a source text (or of a part of it).
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    end: usize,
    line: u32,
    line_start: usize,
    /// Only whitespace (or comments) since the start of the line: a `#`
    /// here starts a directive.
    at_line_start: bool,
    unterminated: Option<u32>,
}

impl<'a> Lexer<'a> {
    /// Tokens of all of `src`.
    pub fn new(src: &'a str) -> Self {
        Self::range(src, 0, src.len(), 1)
    }

    /// Tokens of `src[start..end]`, where `start` is on line `line`.
    pub fn range(src: &'a str, start: usize, end: usize, line: u32) -> Self {
        let bytes = src.as_bytes();
        let end = end.min(bytes.len());
        let start = start.min(end);
        let line_start = bytes[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let at_line_start = bytes[line_start..start]
            .iter()
            .all(|b| b.is_ascii_whitespace());
        Lexer {
            src: bytes,
            pos: start,
            end,
            line,
            line_start,
            at_line_start,
            unterminated: None,
        }
    }

    /// Line of a comment that was still open at the end of the input.
    pub fn unterminated_comment(&self) -> Option<u32> {
        self.unterminated
    }

    fn peek(&self, off: usize) -> u8 {
        let i = self.pos + off;
        if i < self.end { self.src[i] } else { 0 }
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos + 1;
    }

    /// Skips a block comment whose `/*` is at `pos`.
    fn skip_block_comment(&mut self) {
        let open_line = self.line;
        self.pos += 2;
        loop {
            match memchr::memchr2(b'*', b'\n', &self.src[self.pos..self.end]) {
                None => {
                    self.pos = self.end;
                    self.unterminated.get_or_insert(open_line);
                    return;
                }
                Some(off) => {
                    self.pos += off;
                    if self.src[self.pos] == b'\n' {
                        self.newline();
                        self.pos += 1;
                    } else if self.peek(1) == b'/' {
                        self.pos += 2;
                        return;
                    } else {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    fn skip_line_comment(&mut self) {
        self.pos = memchr::memchr(b'\n', &self.src[self.pos..self.end])
            .map_or(self.end, |off| self.pos + off);
    }

    /// Skips a quoted literal starting at `pos`, stopping at its closing
    /// quote or at the end of the line.
    fn skip_quoted(&mut self, quote: u8) {
        self.pos += 1;
        while self.pos < self.end {
            match self.src[self.pos] {
                b'\\' if self.peek(1) == b'\n' => {
                    self.pos += 1;
                    self.newline();
                    self.pos += 1;
                }
                b'\\' => self.pos += 2,
                b'\n' => return,
                c if c == quote => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
        self.pos = self.pos.min(self.end);
    }

    /// Skips a directive: up to an unescaped newline, across comments.
    fn skip_directive(&mut self) {
        while self.pos < self.end {
            match self.src[self.pos] {
                b'\\' if self.peek(1) == b'\n' => {
                    self.pos += 1;
                    self.newline();
                    self.pos += 1;
                }
                b'\\' if self.peek(1) == b'\r' && self.peek(2) == b'\n' => {
                    self.pos += 2;
                    self.newline();
                    self.pos += 1;
                }
                b'\n' => return,
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'/' if self.peek(1) == b'/' => self.skip_line_comment(),
                q @ (b'"' | b'\'') => self.skip_quoted(q),
                _ => self.pos += 1,
            }
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            if self.pos >= self.end {
                return None;
            }
            let c = self.src[self.pos];
            match c {
                b'\n' => {
                    self.newline();
                    self.pos += 1;
                    self.at_line_start = true;
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => {
                    self.pos += 1;
                    continue;
                }
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                    // A stray line continuation outside a directive.
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let start = self.pos;
            let line = self.line;
            let col = (start - self.line_start + 1) as u32;
            let kind = match c {
                b'/' if self.peek(1) == b'*' => {
                    self.skip_block_comment();
                    Kind::BlockComment
                }
                b'/' if self.peek(1) == b'/' => {
                    self.skip_line_comment();
                    Kind::LineComment
                }
                b'#' if self.at_line_start => {
                    self.skip_directive();
                    Kind::Directive
                }
                b'"' => {
                    self.skip_quoted(b'"');
                    Kind::Str
                }
                b'\'' => {
                    self.skip_quoted(b'\'');
                    Kind::Char
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    while self.pos < self.end {
                        let b = self.src[self.pos];
                        if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                    Kind::Ident
                }
                c if c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit()) => {
                    while self.pos < self.end {
                        let b = self.src[self.pos];
                        let exp_sign = matches!(b, b'+' | b'-')
                            && matches!(self.src[self.pos - 1], b'e' | b'E' | b'p' | b'P');
                        if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || exp_sign {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                    Kind::Number
                }
                _ => {
                    self.pos += 1;
                    Kind::Punct
                }
            };
            if !matches!(kind, Kind::BlockComment | Kind::LineComment) {
                self.at_line_start = false;
            }
            return Some(Token {
                kind,
                start,
                end: self.pos,
                line,
                col,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String, u32)> {
        Lexer::new(src)
            .map(|t| (t.kind, t.text(src).to_string(), t.line))
            .collect()
    }

    #[test]
    fn tokens_lines_and_directives() {
        let src = "#define A(x) \\\n  (x) /* c\n */\nint a = 1; // hi\n  # if X\n";
        let toks = kinds(src);
        assert_eq!(toks[0].0, Kind::Directive);
        assert_eq!(toks[0].1, "#define A(x) \\\n  (x) /* c\n */");
        assert_eq!(toks[1], (Kind::Ident, "int".into(), 4));
        assert_eq!(toks.last().unwrap(), &(Kind::Directive, "# if X".into(), 5));
        assert!(toks.iter().any(|t| t.0 == Kind::LineComment && t.2 == 4));
    }

    #[test]
    fn hash_inside_line_is_punct() {
        let toks = kinds("a # b\n");
        assert_eq!(toks[1].0, Kind::Punct);
    }

    #[test]
    fn unterminated_comment_is_reported() {
        let mut lx = Lexer::new("int a;\n/* never\n closed");
        let n = lx.by_ref().count();
        assert_eq!(n, 4);
        assert_eq!(lx.unterminated_comment(), Some(2));
    }

    #[test]
    fn literals_stop_at_end_of_line() {
        let toks = kinds("#if 0\ndon't\n#endif\nint x;\n");
        assert!(toks.iter().any(|t| t.1 == "int" && t.2 == 4));
        let toks = kinds("char *s = \"a\\\"b\"; 'x'");
        assert_eq!(toks[4].1, "\"a\\\"b\"");
        assert_eq!(toks[6].0, Kind::Char);
    }

    #[test]
    fn range_lexing_keeps_lines() {
        let src = "a\nb {\n c(d);\n}\n";
        let start = src.find('{').unwrap();
        let toks: Vec<_> = Lexer::range(src, start, src.len(), 2).collect();
        assert_eq!(toks[0].line, 2);
        assert_eq!(toks[1].text(src), "c");
        assert_eq!(toks[1].line, 3);
    }

    #[test]
    fn non_ascii_identifiers_do_not_split() {
        let toks = kinds("caf\u{e9} x");
        assert_eq!(toks.len(), 2);
    }
}
