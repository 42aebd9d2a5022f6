//! `sqlx::migrate!` embeds the migration folders at compile time; without this, a
//! migration added to a folder is not picked up until some source file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations-postgres");
}
