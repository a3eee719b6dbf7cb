//! Reading a topology from a path or from stdin (`-`).

use std::path::Path;

use vpnha::{Format, LoadError, Topology};

/// Loads `path`, or YAML from stdin when it is `-`.
pub(crate) fn load(path: &Path) -> Result<Topology, LoadError> {
    if path.as_os_str() == "-" {
        Topology::from_reader(std::io::stdin().lock(), Format::Yaml, "<stdin>")
    } else {
        Topology::load(path)
    }
}

/// The name to show for `path`.
pub(crate) fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
