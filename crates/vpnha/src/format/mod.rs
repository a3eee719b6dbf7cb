//! Reading and writing topology files: format version 1 in YAML, JSON or TOML.
//!
//! Every document is first parsed into a spanned tree, then the typed model is read from
//! the tree. Every problem comes back at once, each with its field path and position.
//! Input is bounded: at most [`MAX_INPUT_BYTES`], and YAML alias, anchor, event and
//! nesting budgets (serde-saphyr's) guard against "billion laughs" documents.

mod de;
mod tree;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::Deserialize;

pub(crate) use de::suggest;
pub(crate) use tree::Node;

use crate::diagnostic::{Diagnostic, Rule};
use crate::model::{Origin, Topology};
use crate::source::{FieldPath, SourceFile, Span, mask_secret_lines, mask_span};

/// The largest topology document accepted, in bytes (16 MiB).
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// A topology file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// YAML 1.2 (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
    /// TOML (`.toml`).
    Toml,
}

impl Format {
    /// The format a file name's extension names, if any.
    ///
    /// ```
    /// use vpnha::Format;
    /// assert_eq!(Format::from_path("site.yml"), Some(Format::Yaml));
    /// assert_eq!(Format::from_path("site.txt"), None);
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Option<Format> {
        let ext = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }

    /// The lowercase name: `yaml`, `json` or `toml`.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Toml => "toml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = crate::model::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::model::names::parse_name(
            "format",
            if s.eq_ignore_ascii_case("yml") {
                "yaml"
            } else {
                s
            },
            &["yaml", "json", "toml"],
            &[Format::Yaml, Format::Json, Format::Toml],
        )
    }
}

/// The parsed document behind a topology: the (masked) text and its spanned tree.
pub(crate) struct Parsed {
    pub(crate) file: Arc<SourceFile>,
    pub(crate) tree: Node,
}

impl Parsed {
    /// The span to show for a field path.
    pub(crate) fn span_of(&self, path: &FieldPath) -> Option<Span> {
        self.tree.span_of(path)
    }
}

/// Why a topology could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The path is a directory or something else that is not a regular file.
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The input is larger than [`MAX_INPUT_BYTES`].
    TooLarge {
        /// The file name.
        name: String,
        /// Its size in bytes (at least `limit + 1` when read from a stream).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file's extension names no known format.
    UnknownFormat {
        /// The path.
        path: PathBuf,
    },
    /// The text is not a valid topology: not UTF-8, empty, a syntax error, unknown fields,
    /// values of the wrong type, missing fields. Every problem found is listed.
    Invalid(Box<InvalidTopology>),
}

/// The problems of a text that is not a valid topology, with the (masked) text they point
/// into.
#[derive(Debug)]
pub struct InvalidTopology {
    file: Arc<SourceFile>,
    problems: Vec<Diagnostic>,
}

impl InvalidTopology {
    /// The source text (shared keys masked).
    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    /// Every problem, in document order.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }
}

impl LoadError {
    /// The problems as diagnostics (rule, message, path, position), for uniform output.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let single =
            |rule: Rule, message: String| vec![Diagnostic::new(rule, message, FieldPath::root())];
        match self {
            LoadError::Io { path, source } => single(
                Rule::IoError,
                format!("cannot read {}: {}", path.display(), io_reason(source)),
            ),
            LoadError::NotAFile { path } => single(
                Rule::NotAFile,
                format!(
                    "{} is not a file; give the path of a topology file",
                    path.display()
                ),
            ),
            LoadError::TooLarge { name, size, limit } => single(
                Rule::InputTooLarge,
                format!(
                    "{name} is {size} bytes, over the {limit}-byte limit for a topology; split it or check that it is the right file"
                ),
            ),
            LoadError::UnknownFormat { path } => single(
                Rule::UnknownFormat,
                format!(
                    "cannot tell the format of {}: name it .yaml, .yml, .json or .toml",
                    path.display()
                ),
            ),
            LoadError::Invalid(inv) => inv.problems.clone(),
        }
    }

    /// The source text the problems point into, when there is one.
    pub fn file(&self) -> Option<&SourceFile> {
        match self {
            LoadError::Invalid(inv) => Some(&inv.file),
            _ => None,
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let diags = self.diagnostics();
        let Some(first) = diags.first() else {
            return f.write_str("invalid topology");
        };
        if let (Some(file), Some(loc)) = (self.file(), first.location) {
            write!(f, "{}:{}: ", file.name(), loc)?;
        } else if let Some(file) = self.file() {
            write!(f, "{}: ", file.name())?;
        }
        if !first.path.is_root() && first.rule != Rule::SyntaxError {
            write!(f, "{}: ", first.path)?;
        }
        f.write_str(&first.message)?;
        match diags.len() {
            1 => Ok(()),
            2 => f.write_str(" (and 1 more problem)"),
            n => write!(f, " (and {} more problems)", n - 1),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Topology {
    /// Reads a topology file; the format comes from the extension.
    ///
    /// Refuses directories, files over [`MAX_INPUT_BYTES`] and non-UTF-8 text with a
    /// [`LoadError`] that says why.
    pub fn load(path: impl AsRef<Path>) -> Result<Topology, LoadError> {
        let path = path.as_ref();
        // A missing file or a directory says so, whatever its name.
        let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        if meta.is_dir() {
            return Err(LoadError::NotAFile {
                path: path.to_owned(),
            });
        }
        let format = Format::from_path(path).ok_or_else(|| LoadError::UnknownFormat {
            path: path.to_owned(),
        })?;
        Self::load_as(path, format)
    }

    /// Reads a topology file in the given format, whatever its extension.
    pub fn load_as(path: impl AsRef<Path>, format: Format) -> Result<Topology, LoadError> {
        let path = path.as_ref();
        let io = |source| LoadError::Io {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(LoadError::NotAFile {
                path: path.to_owned(),
            });
        }
        let name = path.display().to_string();
        if meta.len() > MAX_INPUT_BYTES {
            return Err(LoadError::TooLarge {
                name,
                size: meta.len(),
                limit: MAX_INPUT_BYTES,
            });
        }
        let file = std::fs::File::open(path).map_err(io)?;
        Self::from_reader(file, format, &name).map_err(|e| match e {
            LoadError::Io { source, .. } => io(source),
            other => other,
        })
    }

    /// Reads a topology from a stream (such as stdin), at most [`MAX_INPUT_BYTES`].
    pub fn from_reader(
        reader: impl Read,
        format: Format,
        name: &str,
    ) -> Result<Topology, LoadError> {
        let mut bytes = Vec::new();
        reader
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| LoadError::Io {
                path: PathBuf::from(name),
                source,
            })?;
        Self::from_slice(&bytes, format, name)
    }

    /// Parses a topology from bytes that should be UTF-8 text.
    pub fn from_slice(bytes: &[u8], format: Format, name: &str) -> Result<Topology, LoadError> {
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(LoadError::TooLarge {
                name: name.to_owned(),
                size: bytes.len() as u64,
                limit: MAX_INPUT_BYTES,
            });
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::parse_named(text, format, name),
            Err(e) => {
                let valid = &bytes[..e.valid_up_to()];
                let prefix = String::from_utf8_lossy(valid).into_owned();
                let file = SourceFile::new(name, mask_secret_lines(&prefix));
                let mut d = Diagnostic::new(
                    Rule::NotUtf8,
                    format!(
                        "the input is not UTF-8 text (invalid byte 0x{:02x} at byte offset {}); save the file as UTF-8",
                        bytes[e.valid_up_to()],
                        e.valid_up_to()
                    ),
                    FieldPath::root(),
                );
                d.set_span(&file, Span::new(valid.len(), 0));
                Err(invalid(file, vec![d]))
            }
        }
    }

    /// Parses a topology from text in the given format.
    pub fn parse(text: &str, format: Format) -> Result<Topology, LoadError> {
        Self::parse_named(text, format, "<input>")
    }

    /// Parses a YAML topology.
    pub fn from_yaml_str(text: &str) -> Result<Topology, LoadError> {
        Self::parse(text, Format::Yaml)
    }

    /// Parses a JSON topology.
    pub fn from_json_str(text: &str) -> Result<Topology, LoadError> {
        Self::parse(text, Format::Json)
    }

    /// Parses a TOML topology.
    pub fn from_toml_str(text: &str) -> Result<Topology, LoadError> {
        Self::parse(text, Format::Toml)
    }

    /// Parses text in the given format, naming it `name` in positions and snippets.
    pub fn parse_named(text: &str, format: Format, name: &str) -> Result<Topology, LoadError> {
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(LoadError::TooLarge {
                name: name.to_owned(),
                size: text.len() as u64,
                limit: MAX_INPUT_BYTES,
            });
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            let file = SourceFile::new(name, String::new());
            let d = Diagnostic::new(
                Rule::EmptyInput,
                "the input is empty; a topology needs at least `version: 1`, a `gateway` with `sku` and `instances`".to_owned(),
                FieldPath::root(),
            );
            return Err(invalid(file, vec![d]));
        }
        let parsed = match format {
            Format::Yaml => tree::parse_yaml(text),
            Format::Json => tree::parse_json(text),
            Format::Toml => tree::parse_toml(text),
        };
        let mut tree = match parsed {
            Ok(tree) => tree,
            Err(e) => {
                let file = SourceFile::new(name, mask_secret_lines(text));
                let mut d = Diagnostic::new(
                    Rule::SyntaxError,
                    syntax_message(&e.message, format),
                    FieldPath::root(),
                );
                let offset = e
                    .offset
                    .or_else(|| e.line_col.and_then(|(l, c)| file.offset_of(l, c)));
                if let Some(offset) = offset {
                    d.set_span(&file, Span::new(offset, 0));
                }
                return Err(invalid(file, vec![d]));
            }
        };
        if !matches!(tree.value, tree::Value::Map(_)) {
            let file = SourceFile::new(name, mask_secret_lines(text));
            let mut d = Diagnostic::new(
                Rule::InvalidValue,
                format!(
                    "the document is {}, but a topology is a mapping with `version`, `gateway`, `local_gateways` and `connections`",
                    tree.value.kind()
                ),
                FieldPath::root(),
            );
            d.set_span(&file, Span::new(0, 0));
            return Err(invalid(file, vec![d]));
        }

        // Read the typed model, collecting every unknown field on the way.
        let ctx = de::Context::new(text);
        let root = FieldPath::root();
        let result = Topology::deserialize(de::NodeDe {
            node: &tree,
            path: &de::PathLink::Root(&root),
            ctx: &ctx,
        });
        let mut problems = ctx.into_unknown_fields();
        let topology = match result {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push(e);
                // serde stops at the first error; read each part on its own to find the rest.
                problems.extend(recover(&tree, text));
                None
            }
        };
        if let Some(t) = &topology {
            problems.extend(required_either_or(t));
        }

        // From here on the text is kept: mask shared keys in it and in the tree first.
        let mut masked = text.to_owned();
        tree.scrub_key("shared_key", &mut |span| mask_span(&mut masked, span));
        let file = SourceFile::new(name, masked);

        match topology {
            Some(mut t) if problems.is_empty() => {
                t.origin = Origin(Some(Arc::new(Parsed { file, tree })));
                Ok(t)
            }
            _ => {
                let mut diags: Vec<Diagnostic> = problems
                    .into_iter()
                    .map(|e| {
                        let rule = if e.unknown_field {
                            Rule::UnknownField
                        } else if e.message.starts_with("missing required field") {
                            Rule::MissingField
                        } else {
                            Rule::InvalidValue
                        };
                        let path = e.path.unwrap_or_default();
                        let span = e.span.or_else(|| tree.span_of(&path));
                        let mut d = Diagnostic::new(rule, e.message, path);
                        if let Some(span) = span {
                            d.set_span(&file, span);
                        }
                        d
                    })
                    .collect();
                diags.sort_by(|a, b| {
                    (
                        a.location.is_none(),
                        a.location,
                        a.rule,
                        a.path.to_string(),
                        &a.message,
                    )
                        .cmp(&(
                            b.location.is_none(),
                            b.location,
                            b.rule,
                            b.path.to_string(),
                            &b.message,
                        ))
                });
                diags.dedup_by(|a, b| a.path == b.path && a.message == b.message);
                Err(invalid(file, diags))
            }
        }
    }

    /// The topology in format version 1 as text. Inline shared keys are left out.
    pub fn to_string_as(&self, format: Format) -> Result<String, WriteError> {
        match format {
            Format::Yaml => serde_saphyr::to_string(self).map_err(|e| WriteError(e.to_string())),
            Format::Json => serde_json::to_string_pretty(self)
                .map(|mut s| {
                    s.push('\n');
                    s
                })
                .map_err(|e| WriteError(e.to_string())),
            Format::Toml => toml::to_string(self).map_err(|e| WriteError(e.to_string())),
        }
    }

    /// The source the topology was read from, if it was read from text.
    pub fn source_file(&self) -> Option<&SourceFile> {
        self.origin.0.as_deref().map(|p| &*p.file)
    }

    pub(crate) fn parsed(&self) -> Option<&Parsed> {
        self.origin.0.as_deref()
    }
}

/// The error of writing a topology out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write the topology: {}", self.0)
    }
}

impl std::error::Error for WriteError {}

fn invalid(file: Arc<SourceFile>, problems: Vec<Diagnostic>) -> LoadError {
    LoadError::Invalid(Box::new(InvalidTopology { file, problems }))
}

fn syntax_message(message: &str, format: Format) -> String {
    let name = match format {
        Format::Yaml => "YAML",
        Format::Json => "JSON",
        Format::Toml => "TOML",
    };
    let mut m = message.trim().to_owned();
    if let Some(first) = m.get(..1) {
        let lower = first.to_lowercase();
        m.replace_range(..1, &lower);
    }
    format!("invalid {name}: {m}")
}

/// Reads every part of a document that failed as a whole (the gateway, each instance,
/// device and connection, the availability block) on its own, so that one bad value does
/// not hide the problems after it.
fn recover(tree: &Node, text: &str) -> Vec<de::DeError> {
    use crate::model::{AvailabilityInputs, Connection, Gateway, Instance, LocalGateway};

    fn part<T: serde::de::DeserializeOwned>(
        tree: &Node,
        path: FieldPath,
        text: &str,
        out: &mut Vec<de::DeError>,
    ) -> Option<T> {
        let node = tree.get(&path)?;
        if !matches!(node.value, tree::Value::Map(_)) {
            return None;
        }
        let ctx = de::Context::new(text);
        let result = T::deserialize(de::NodeDe {
            node,
            path: &de::PathLink::Root(&path),
            ctx: &ctx,
        });
        out.extend(ctx.into_unknown_fields());
        result.map_err(|e| out.push(e)).ok()
    }

    let seq_len = |path: &FieldPath| match tree.get(path).map(|n| &n.value) {
        Some(tree::Value::Seq(items)) => items.len(),
        _ => 0,
    };
    let mut out = Vec::new();
    let gateway = FieldPath::root().key("gateway");
    part::<Gateway>(tree, gateway.clone(), text, &mut out);
    let instances = gateway.key("instances");
    for i in 0..seq_len(&instances) {
        part::<Instance>(tree, instances.clone().index(i), text, &mut out);
    }
    let devices = FieldPath::root().key("local_gateways");
    for i in 0..seq_len(&devices) {
        if let Some(lg) = part::<LocalGateway>(tree, devices.clone().index(i), text, &mut out) {
            out.extend(missing_endpoint(&lg, i));
        }
    }
    let connections = FieldPath::root().key("connections");
    for i in 0..seq_len(&connections) {
        part::<Connection>(tree, connections.clone().index(i), text, &mut out);
    }
    part::<AvailabilityInputs>(tree, FieldPath::root().key("availability"), text, &mut out);
    out
}

/// Fields serde cannot require on its own ("one of these two").
fn required_either_or(t: &Topology) -> Vec<de::DeError> {
    t.local_gateways
        .iter()
        .enumerate()
        .filter_map(|(i, lg)| missing_endpoint(lg, i))
        .collect()
}

fn missing_endpoint(lg: &crate::model::LocalGateway, i: usize) -> Option<de::DeError> {
    (lg.gateway_ip.is_none() && lg.fqdn.is_none()).then(|| de::DeError {
        message: format!(
            "missing required field: local gateway `{}` needs `gateway_ip` or `fqdn`",
            lg.name
        ),
        path: Some(FieldPath::root().key("local_gateways").index(i)),
        span: None,
        unknown_field: false,
    })
}
