//! `docs/configuration.md` and the command line agree: every environment variable
//! the CLI reads (the server's and the standalone sandbox's) is in the page's table,
//! and every variable the table names is read (`RUST_LOG` by the logger).

use clap::CommandFactory;
use quote_server::config::Cli;
use std::collections::BTreeSet;

/// The variables the CLI reads, from clap's own declarations.
fn read_by_the_cli() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let cli = Cli::command();
    let commands = std::iter::once(&cli).chain(cli.get_subcommands());
    for command in commands {
        for arg in command.get_arguments() {
            if let Some(env) = arg.get_env() {
                names.insert(env.to_string_lossy().into_owned());
            }
        }
    }
    names
}

/// The variables the page's table names: every backticked upper-case name in the
/// first column of a row.
fn documented() -> BTreeSet<String> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/configuration.md")).unwrap();
    let mut names = BTreeSet::new();
    for row in page.lines().filter(|l| l.starts_with("| `")) {
        let first = row.split(" | ").next().unwrap_or("");
        for name in first.split('`').skip(1).step_by(2) {
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn every_variable_the_cli_reads_is_documented_and_every_documented_one_is_read() {
    let read = read_by_the_cli();
    let mut documented = documented();
    assert!(documented.remove("RUST_LOG"), "RUST_LOG is documented (the logger reads it)");
    let undocumented: Vec<_> = read.difference(&documented).collect();
    let unread: Vec<_> = documented.difference(&read).collect();
    assert!(undocumented.is_empty(), "read by the CLI, missing from docs/configuration.md: {undocumented:?}");
    assert!(unread.is_empty(), "in docs/configuration.md, read by nothing: {unread:?}");
    assert!(read.len() > 40, "the CLI's variables were found ({})", read.len());
}
