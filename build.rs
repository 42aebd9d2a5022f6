//! The widget's stylesheet as it ships inside the wasm: `style/widget.css` without its
//! comments and spare whitespace (8.4 KB → 6.6 KB of the wasm; issue #26). The source
//! stays readable; `tests/e2e/skeleton.test.mjs` checks in Chromium that both parse to
//! the same rules.
//!
//! Only changes a CSS parser ignores: comments go, each run of whitespace becomes one
//! space, and that space goes where it can separate nothing (around `{ } ; , >` and
//! after `:`); quoted strings are copied as they are. Spaces around `+`, `-`, `*`, `/`
//! stay (`calc()` needs them), and so does a space before `:` (a descendant selector).

use std::{env, fs, path::Path};

fn main() {
    let source = "style/widget.css";
    println!("cargo::rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("style/widget.css is readable");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("widget.min.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            '"' | '\'' => {
                push_space(&mut out, &mut space, c);
                out.push(c);
                let mut escaped = false;
                for s in chars.by_ref() {
                    out.push(s);
                    if s == c && !escaped {
                        break;
                    }
                    escaped = s == '\\' && !escaped;
                }
            }
            '}' => {
                if out.ends_with(';') {
                    out.pop();
                }
                space = false;
                out.push(c);
            }
            _ => {
                push_space(&mut out, &mut space, c);
                out.push(c);
            }
        }
    }
    out
}

/// Writes the pending space unless the characters on either side make it meaningless.
fn push_space(out: &mut String, space: &mut bool, next: char) {
    let after_separator = out.is_empty() || out.ends_with(['{', '}', ';', ',', '>', ':']);
    if std::mem::take(space) && !after_separator && !matches!(next, '{' | '}' | ';' | ',' | '>') {
        out.push(' ');
    }
}
