//! A format-neutral tree of the parsed document in which every node knows its span.
//!
//! YAML is read by serde-saphyr into [`serde_saphyr::Spanned`] nodes, JSON by jsonc-parser
//! (after serde_json has checked it), TOML by the `toml` crate's spanned `DeTable`; all
//! become this one tree, from which the typed model is
//! deserialized (see `de.rs`) and in which field paths are located for diagnostics.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::source::{FieldPath, PathSegment, Span};

/// One node of the document tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) value: Value,
    /// Where the node is; `None` when the front end could not say.
    pub(crate) span: Option<Span>,
}

/// A mapping key with its own span.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) span: Option<Span>,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Value {
    /// What the value is, for messages ("expected a string, found a sequence").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a floating-point number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The node at exactly `path`.
    pub(crate) fn get(&self, path: &FieldPath) -> Option<&Node> {
        let mut node = self;
        for seg in path.segments() {
            node = match (seg, &node.value) {
                (PathSegment::Key(k), Value::Map(entries)) => {
                    &entries.iter().find(|(key, _)| &key.name == k)?.1
                }
                (PathSegment::Index(i), Value::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The node at `path`, or the deepest existing ancestor of it.
    pub(crate) fn find(&self, path: &FieldPath) -> (&Node, Option<Span>) {
        let mut node = self;
        let mut key_span = None;
        for seg in path.segments() {
            let next = match (seg, &node.value) {
                (PathSegment::Key(k), Value::Map(entries)) => entries
                    .iter()
                    .find(|(key, _)| &key.name == k)
                    .map(|(key, n)| (n, key.span)),
                (PathSegment::Index(i), Value::Seq(items)) => items.get(*i).map(|n| (n, None)),
                _ => None,
            };
            match next {
                Some((n, ks)) => {
                    node = n;
                    key_span = ks.or(n.span);
                }
                None => break,
            }
        }
        (node, key_span)
    }

    /// The best span to point at for `path`: the value when it has a useful span (a scalar
    /// or a flow collection), otherwise the key that introduces it.
    pub(crate) fn span_of(&self, path: &FieldPath) -> Option<Span> {
        let (node, key_span) = self.find(path);
        let value_span = node.span.filter(|s| s.len > 0 || is_scalar(&node.value));
        match (&node.value, value_span, key_span) {
            (Value::Map(_) | Value::Seq(_), _, Some(k)) => Some(k),
            (_, Some(v), _) => Some(v),
            (_, None, k) => k.or(node.span),
        }
    }

    /// Calls `f` with the span of every string scalar found under `key` anywhere in the tree
    /// (used to mask shared keys in the stored text) and replaces their text.
    pub(crate) fn scrub_key(&mut self, key: &str, f: &mut impl FnMut(Span)) {
        match &mut self.value {
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    if k.name == key {
                        v.scrub_all(f);
                    } else {
                        v.scrub_key(key, f);
                    }
                }
            }
            Value::Seq(items) => items.iter_mut().for_each(|n| n.scrub_key(key, f)),
            _ => {}
        }
    }

    fn scrub_all(&mut self, f: &mut impl FnMut(Span)) {
        match &mut self.value {
            Value::Str(s) => {
                if let Some(span) = self.span {
                    f(span);
                }
                *s = "*".repeat(s.len().min(8));
            }
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                if let Some(span) = self.span {
                    f(span);
                }
            }
            Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| v.scrub_all(f)),
            Value::Seq(items) => items.iter_mut().for_each(|n| n.scrub_all(f)),
            Value::Null => {}
        }
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Map(_) | Value::Seq(_))
}

// ---------------------------------------------------------------------------------------
// YAML, through serde-saphyr's spans.

/// A YAML node as serde-saphyr hands it over, before spans are attached.
enum RawYaml {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<serde_saphyr::Spanned<RawYaml>>),
    Map(
        Vec<(
            serde_saphyr::Spanned<String>,
            serde_saphyr::Spanned<RawYaml>,
        )>,
    ),
}

impl<'de> Deserialize<'de> for RawYaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawYaml;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<RawYaml, E> {
                Ok(RawYaml::Null)
            }
            fn visit_none<E>(self) -> Result<RawYaml, E> {
                Ok(RawYaml::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawYaml, D::Error> {
                RawYaml::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawYaml, E> {
                Ok(RawYaml::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawYaml, E> {
                Ok(RawYaml::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawYaml, E> {
                Ok(RawYaml::Int(v.into()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<RawYaml, E> {
                Ok(RawYaml::Int(v))
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<RawYaml, E> {
                i128::try_from(v)
                    .map(RawYaml::Int)
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawYaml, E> {
                Ok(RawYaml::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawYaml, E> {
                Ok(RawYaml::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawYaml, E> {
                Ok(RawYaml::Str(v))
            }
            fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<RawYaml, E> {
                Err(E::custom("binary values are not supported"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawYaml, A::Error> {
                let mut items = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(RawYaml::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawYaml, A::Error> {
                let mut entries = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
                while let Some(entry) = a.next_entry()? {
                    entries.push(entry);
                }
                Ok(RawYaml::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

fn saphyr_span(loc: &serde_saphyr::Location) -> Option<Span> {
    if *loc == serde_saphyr::Location::UNKNOWN {
        return None;
    }
    let span = loc.span();
    let offset = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    Some(Span::new(offset, len))
}

fn from_raw_yaml(raw: serde_saphyr::Spanned<RawYaml>) -> Node {
    let span = saphyr_span(&raw.referenced);
    let value = match raw.value {
        RawYaml::Null => Value::Null,
        RawYaml::Bool(b) => Value::Bool(b),
        RawYaml::Int(i) => Value::Int(i),
        RawYaml::Float(f) => Value::Float(f),
        RawYaml::Str(s) => Value::Str(s),
        RawYaml::Seq(items) => Value::Seq(items.into_iter().map(from_raw_yaml).collect()),
        RawYaml::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        span: saphyr_span(&k.referenced),
                        name: k.value,
                    };
                    (key, from_raw_yaml(v))
                })
                .collect(),
        ),
    };
    Node { value, span }
}

/// A syntax error: message and, when known, 1-based line and column.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) line_col: Option<(usize, usize)>,
    pub(crate) offset: Option<usize>,
}

/// The deepest nesting accepted in YAML and JSON documents.
pub(crate) const MAX_DEPTH: usize = 24;

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    // YAML 1.2: only true/false are booleans, so `site: NO` stays the string "NO".
    options.strict_booleans = true;
    // `name: 0123` stays a string rather than silently becoming 123.
    options.leading_zero_numbers_as_strings = true;
    // The default node and event budgets (250k, 1M) are below what a 10,000-device topology
    // needs; size them for the 16 MiB input limit instead. Alias and anchor budgets keep
    // their defaults: they are what stops "billion laughs".
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 4_000_000;
    budget.max_events = 8_000_000;
    // A topology is at most 6 levels deep. The default (64) lets a debug build overflow a
    // 2 MiB thread stack before the budget trips; 24 keeps parsing within ~1 MiB.
    budget.max_depth = MAX_DEPTH;
    options.budget = Some(budget);
    options
}

/// Parses YAML (or JSON, which YAML 1.2 contains) into a tree.
pub(crate) fn parse_yaml(text: &str) -> Result<Node, SyntaxError> {
    match serde_saphyr::from_str_with_options::<serde_saphyr::Spanned<RawYaml>>(
        text,
        yaml_options(),
    ) {
        Ok(raw) => Ok(from_raw_yaml(raw)),
        Err(e) => Err(saphyr_error(&e)),
    }
}

fn saphyr_error(e: &serde_saphyr::Error) -> SyntaxError {
    let plain = e
        .without_snippet()
        .render_with_options(serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        });
    let loc = e
        .location()
        .filter(|l| *l != serde_saphyr::Location::UNKNOWN);
    let line_col = loc.and_then(|l| {
        Some((
            usize::try_from(l.line()).ok()?,
            usize::try_from(l.column()).ok()?,
        ))
    });
    SyntaxError {
        message: tidy_saphyr_message(&plain),
        line_col,
        offset: None,
    }
}

/// serde-saphyr appends " at line L, column C" and developer hints; we show positions
/// ourselves and speak to the user.
fn tidy_saphyr_message(msg: &str) -> String {
    let msg = msg.trim();
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains("column") => &msg[..i],
        _ => msg,
    };
    let msg = match msg.strip_prefix("line ") {
        // "line 2 column 2: message"
        Some(rest) => rest.split_once(": ").map_or(msg, |(_, m)| m),
        None => msg,
    };
    if let Some(key) = msg.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        return format!("duplicate key `{key}`: each key may appear once in a mapping");
    }
    if let Some(depth) = msg.strip_prefix("budget breached: Depth { depth: ") {
        let depth = depth.trim_end_matches(" }");
        return format!(
            "the document is nested {depth} levels deep, deeper than the {MAX_DEPTH} levels accepted (a topology needs 6)"
        );
    }
    if let Some(what) = msg.strip_prefix("budget breached: ") {
        return format!(
            "the document exceeds a safety limit ({what}): too many aliases, anchors or nodes; expand aliases by hand or split the file"
        );
    }
    msg.to_owned()
}

/// Parses JSON. serde_json checks the syntax first, for JSON's own error messages (and its
/// nesting limit, which keeps the second reader's recursion shallow); jsonc-parser, held to
/// strict JSON, then gives the tree with a byte range on every node and key. Should it
/// disagree on a document serde_json accepted, the tree is built from serde_json without
/// positions rather than failing.
pub(crate) fn parse_json(text: &str) -> Result<Node, SyntaxError> {
    if let Err(e) = serde_json::from_str::<JsonSyntax>(text) {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        return Err(SyntaxError {
            message,
            line_col: (e.line() > 0).then(|| (e.line(), e.column().max(1))),
            offset: None,
        });
    }
    let strict = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed =
        jsonc_parser::parse_to_ast(text, &jsonc_parser::CollectOptions::default(), &strict);
    match parsed.ok().and_then(|p| p.value) {
        Some(value) => from_json_ast(value, 1),
        None => serde_json::from_str(text)
            .map(from_json_value)
            .map_err(|e| SyntaxError {
                message: e.to_string(),
                line_col: None,
                offset: None,
            }),
    }
}

/// A JSON document read for its syntax only, keeping nothing. Unlike
/// [`serde::de::IgnoredAny`], which serde_json skips without recursion and so without its
/// nesting limit (128), it descends into every array and object: serde_json refuses a
/// document nested deeper than that before the recursive reader that builds the tree sees it.
struct JsonSyntax;

impl<'de> Deserialize<'de> for JsonSyntax {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonSyntax;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<JsonSyntax, E> {
                Ok(JsonSyntax)
            }
            fn visit_bool<E>(self, _: bool) -> Result<JsonSyntax, E> {
                Ok(JsonSyntax)
            }
            fn visit_i64<E>(self, _: i64) -> Result<JsonSyntax, E> {
                Ok(JsonSyntax)
            }
            fn visit_u64<E>(self, _: u64) -> Result<JsonSyntax, E> {
                Ok(JsonSyntax)
            }
            fn visit_f64<E>(self, _: f64) -> Result<JsonSyntax, E> {
                Ok(JsonSyntax)
            }
            fn visit_str<E>(self, _: &str) -> Result<JsonSyntax, E> {
                Ok(JsonSyntax)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<JsonSyntax, A::Error> {
                while a.next_element::<JsonSyntax>()?.is_some() {}
                Ok(JsonSyntax)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<JsonSyntax, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, JsonSyntax>()?
                    .is_some()
                {}
                Ok(JsonSyntax)
            }
        }
        d.deserialize_any(V)
    }
}

fn range_span(r: jsonc_parser::common::Range) -> Option<Span> {
    Some(Span::new(r.start, r.end.saturating_sub(r.start)))
}

/// One JSON node and its children; `depth` counts the containers down to it (the document
/// is 1), held to [`MAX_DEPTH`] as the YAML reader is. Duplicate keys are refused, as in YAML.
fn from_json_ast(v: jsonc_parser::ast::Value<'_>, depth: usize) -> Result<Node, SyntaxError> {
    use jsonc_parser::ast::{ObjectPropName, Value as J};
    let too_deep = |start: usize| SyntaxError {
        message: format!(
            "the document is nested more than {MAX_DEPTH} levels deep, deeper than accepted (a topology needs 6)"
        ),
        line_col: None,
        offset: Some(start),
    };
    let (value, range) = match v {
        J::NullKeyword(n) => (Value::Null, n.range),
        J::BooleanLit(b) => (Value::Bool(b.value), b.range),
        J::NumberLit(n) => {
            let value = match n.value.parse::<i128>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Float(n.value.parse::<f64>().unwrap_or(f64::NAN)),
            };
            (value, n.range)
        }
        J::StringLit(s) => (Value::Str(s.value.into_owned()), s.range),
        J::Array(a) => {
            if depth > MAX_DEPTH {
                return Err(too_deep(a.range.start));
            }
            let items = a
                .elements
                .into_iter()
                .map(|e| from_json_ast(e, depth + 1))
                .collect::<Result<_, _>>()?;
            (Value::Seq(items), a.range)
        }
        J::Object(o) => {
            if depth > MAX_DEPTH {
                return Err(too_deep(o.range.start));
            }
            let mut seen = foldhash::HashSet::with_capacity_and_hasher(
                o.properties.len(),
                foldhash::fast::RandomState::default(),
            );
            let mut entries = Vec::with_capacity(o.properties.len());
            for prop in o.properties {
                let (name, range) = match prop.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                };
                if !seen.insert(name.clone()) {
                    return Err(SyntaxError {
                        message: format!(
                            "duplicate key `{name}`: each key may appear once in a mapping"
                        ),
                        line_col: None,
                        offset: Some(range.start),
                    });
                }
                let key = Key {
                    name,
                    span: range_span(range),
                };
                entries.push((key, from_json_ast(prop.value, depth + 1)?));
            }
            (Value::Map(entries), o.range)
        }
    };
    Ok(Node {
        value,
        span: range_span(range),
    })
}

fn from_json_value(v: serde_json::Value) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Int(u.into())
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(a) => Value::Seq(a.into_iter().map(from_json_value).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.into_iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k,
                            span: None,
                        },
                        from_json_value(v),
                    )
                })
                .collect(),
        ),
    };
    Node { value, span: None }
}

// ---------------------------------------------------------------------------------------
// TOML, through the toml crate's spanned document.

/// Parses TOML into a tree.
pub(crate) fn parse_toml(text: &str) -> Result<Node, SyntaxError> {
    match toml::de::DeTable::parse(text) {
        Ok(table) => {
            let span = table.span();
            Ok(Node {
                span: Some(Span::new(span.start, 0)),
                value: toml_table(table.into_inner()),
            })
        }
        Err(e) => Err(SyntaxError {
            message: e.message().trim().to_owned(),
            line_col: None,
            offset: e.span().map(|s| s.start),
        }),
    }
}

fn toml_table(table: toml::de::DeTable<'_>) -> Value {
    Value::Map(
        table
            .into_iter()
            .map(|(k, v)| {
                let ks = k.span();
                let key = Key {
                    name: k.into_inner().into_owned(),
                    span: Some(Span::new(ks.start, ks.end - ks.start)),
                };
                (key, toml_node(v))
            })
            .collect(),
    )
}

fn toml_node(v: toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let s = v.span();
    let span = Some(Span::new(s.start, s.end - s.start));
    let value = match v.into_inner() {
        DeValue::String(s) => Value::Str(s.into_owned()),
        // `as_str` is already in `from_str_radix` form (no prefix, no underscores).
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Str(i.to_string()),
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(x) => Value::Float(x),
            Err(_) => Value::Str(f.as_str().to_owned()),
        },
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(a) => Value::Seq(a.into_iter().map(toml_node).collect()),
        DeValue::Table(t) => toml_table(t),
    };
    Node { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &[&str]) -> FieldPath {
        s.iter().fold(FieldPath::root(), |p, k| match k.parse() {
            Ok(i) => p.index(i),
            Err(_) => p.key(k),
        })
    }

    #[test]
    fn yaml_nodes_carry_byte_spans() {
        let text = "a:\n  b: [1, two]\n";
        let tree = parse_yaml(text).unwrap();
        let span = tree.span_of(&path(&["a", "b", "1"])).unwrap();
        assert_eq!(&text[span.offset..span.offset + span.len], "two");
    }

    #[test]
    fn toml_nodes_carry_byte_spans() {
        let text = "[a]\nb = [1, \"two\"]\nc = 0x1F\n";
        let tree = parse_toml(text).unwrap();
        let span = tree.span_of(&path(&["a", "b", "1"])).unwrap();
        assert_eq!(&text[span.offset..span.offset + span.len], "\"two\"");
        let (c, _) = tree.find(&path(&["a", "c"]));
        assert!(matches!(c.value, Value::Int(31)));
    }

    #[test]
    fn json_is_read_with_spans_and_json_errors() {
        let text = "{\n\t\"a\": {\"b\": [1, \"two\"]}\n}";
        let tree = parse_json(text).unwrap();
        let span = tree.span_of(&path(&["a", "b", "1"])).unwrap();
        assert_eq!(&text[span.offset..span.offset + span.len], "\"two\"");
        let err = parse_json("{\"a\": 1,, }").unwrap_err();
        assert_eq!(err.line_col, Some((1, 9)));
    }

    #[test]
    fn a_missing_path_falls_back_to_its_deepest_ancestor() {
        let text = "a:\n  b: 1\n";
        let tree = parse_yaml(text).unwrap();
        let span = tree.span_of(&path(&["a", "zzz"])).unwrap();
        assert_eq!(&text[span.offset..span.offset + 1], "a");
    }
}
