//! The `vpnha` command.
fn main() {}
