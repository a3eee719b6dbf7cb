//! A serde `Deserializer` over the spanned [`Node`] tree.
//!
//! It is what makes every load error precise: each error is stamped with the path and span
//! of the innermost node it came from, and `deserialize_struct` (which serde hands the list
//! of known field names) reports *every* unknown field of the document, each with a
//! did-you-mean, instead of stopping at the first.

use std::cell::RefCell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::tree::{Key, Node, Value};
use crate::source::{FieldPath, PathSegment, Span};

/// An error while building the typed model: what, at which path, where.
#[derive(Debug, Clone)]
pub(crate) struct DeError {
    pub(crate) message: String,
    pub(crate) path: Option<FieldPath>,
    pub(crate) span: Option<Span>,
    pub(crate) unknown_field: bool,
}

impl DeError {
    fn at(mut self, path: &PathLink<'_>, span: Option<Span>) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_field_path());
            self.span = span;
        }
        self
    }

    /// Locates the error at `node` and, when the node is a string the message does not
    /// quote already, says which value was refused (never under a shared key).
    fn at_node(mut self, path: &PathLink<'_>, node: &Node) -> Self {
        if self.path.is_none() {
            let field = path.to_field_path();
            if let Value::Str(s) = &node.value {
                let secret = field.to_string().contains("shared_key");
                if !secret && s.len() <= 80 && !self.message.contains(s.as_str()) {
                    self.message = format!("{}: \"{s}\"", self.message);
                }
            }
            self.path = Some(field);
            self.span = node.span;
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            path: None,
            span: None,
            unknown_field: false,
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!("expected {exp}, found {}", describe(&unexp)))
    }

    fn missing_field(field: &'static str) -> Self {
        Self::custom(format_args!("missing required field `{field}`"))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let mut msg = format!("unknown value `{variant}`");
        match suggest(variant, expected.iter().copied()) {
            Some(s) => msg.push_str(&format!("; did you mean `{s}`?")),
            None => msg.push_str(&format!("; expected one of {}", list(expected))),
        }
        Self::custom(msg)
    }
}

fn describe(unexp: &de::Unexpected<'_>) -> String {
    match unexp {
        de::Unexpected::Str(s) => format!("the string \"{s}\""),
        de::Unexpected::Unsigned(n) => format!("the integer {n}"),
        de::Unexpected::Signed(n) => format!("the integer {n}"),
        de::Unexpected::Float(x) => format!("the number {x}"),
        de::Unexpected::Bool(b) => format!("the boolean {b}"),
        de::Unexpected::Unit => "null".to_owned(),
        de::Unexpected::Seq => "a sequence".to_owned(),
        de::Unexpected::Map => "a mapping".to_owned(),
        other => other.to_string(),
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `input`, if it is close enough to be a likely typo.
///
/// Spelling variants of the same words (camelCase, kebab-case, case) always match, so
/// `publicIp` suggests `public_ip`.
pub(crate) fn suggest<'a>(
    input: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = normalize(input);
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let norm = normalize(c);
        let score = if norm == wanted {
            2.0
        } else {
            // Jaro-Winkler favours a shared prefix (`gatewayIpAddress` → `gateway_ip`); one
            // edit or transposition (`AES265` → `AES256`) beats any prefix likeness.
            let near = strsim::damerau_levenshtein(&wanted, &norm) <= 1;
            strsim::jaro_winkler(&wanted, &norm) + if near { 0.2 } else { 0.0 }
        };
        if score >= 0.8 && best.is_none_or(|(_, b)| score > b) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `gatewayIpAddress`, `gateway-ip-address`, `GATEWAY_IP_ADDRESS` → `gatewayipaddress`.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The path from the root to the node being read, as a linked list on the stack.
#[derive(Clone, Copy)]
pub(crate) enum PathLink<'p> {
    /// The top of what is being read: the document, or the node at this path in it.
    Root(&'p FieldPath),
    Key(&'p PathLink<'p>, &'p str),
    Index(&'p PathLink<'p>, usize),
}

impl PathLink<'_> {
    fn to_field_path(self) -> FieldPath {
        let mut segs = Vec::new();
        let mut cur = self;
        let base = loop {
            match cur {
                PathLink::Root(base) => break base,
                PathLink::Key(parent, k) => {
                    segs.push(PathSegment::Key((*k).to_owned()));
                    cur = *parent;
                }
                PathLink::Index(parent, i) => {
                    segs.push(PathSegment::Index(i));
                    cur = *parent;
                }
            }
        };
        segs.extend(base.segments().iter().rev().cloned());
        segs.reverse();
        FieldPath::from_segments(segs)
    }
}

/// State shared by the whole deserialization: the source text and the unknown fields found.
pub(crate) struct Context<'t> {
    text: &'t str,
    unknown: RefCell<Vec<DeError>>,
}

impl<'t> Context<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Context {
            text,
            unknown: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn into_unknown_fields(self) -> Vec<DeError> {
        self.unknown.into_inner()
    }
}

/// Deserializes one node.
pub(crate) struct NodeDe<'a, 'p> {
    pub(crate) node: &'a Node,
    pub(crate) path: &'p PathLink<'p>,
    pub(crate) ctx: &'a Context<'a>,
}

impl<'a> NodeDe<'a, '_> {
    fn stamp(&self, e: DeError) -> DeError {
        e.at_node(self.path, self.node)
    }

    fn type_error(&self, expected: &str) -> DeError {
        self.stamp(de::Error::custom(format_args!(
            "expected {expected}, found {}",
            self.found()
        )))
    }

    /// What the node holds, for a message; never the value itself under a shared key.
    fn found(&self) -> String {
        let secret = self.path.to_field_path().to_string().contains("shared_key");
        match &self.node.value {
            Value::Str(s) if !secret && s.len() <= 80 => format!("the string \"{s}\""),
            Value::Int(i) if !secret => format!("the integer {i}"),
            Value::Float(x) if !secret => format!("the number {x}"),
            Value::Bool(b) if !secret => format!("the boolean {b}"),
            v => v.kind().to_owned(),
        }
    }

    /// The original text of a scalar, so `name: 0x1F` reads as "0x1F", not "31".
    fn scalar_text(&self) -> Option<String> {
        let raw = self
            .node
            .span
            .and_then(|s| self.ctx.text.get(s.offset..s.offset + s.len))
            .filter(|t| !t.is_empty() && !t.starts_with(['"', '\'']));
        match &self.node.value {
            Value::Int(i) => Some(raw.map_or_else(|| i.to_string(), str::to_owned)),
            Value::Float(x) => Some(raw.map_or_else(|| x.to_string(), str::to_owned)),
            Value::Bool(b) => Some(raw.map_or_else(|| b.to_string(), str::to_owned)),
            _ => None,
        }
    }

    fn visit_int<V: Visitor<'a>>(&self, i: i128, visitor: V) -> Result<V::Value, DeError> {
        if let Ok(u) = u64::try_from(i) {
            visitor.visit_u64(u)
        } else if let Ok(s) = i64::try_from(i) {
            visitor.visit_i64(s)
        } else {
            visitor.visit_i128(i)
        }
    }
}

impl<'a> Deserializer<'a> for NodeDe<'a, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => self.visit_int(*i, visitor),
            Value::Float(x) => visitor.visit_f64(*x),
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqDe::new(items, self.path, self.ctx)),
            Value::Map(entries) => {
                visitor.visit_map(MapDe::new(entries, None, self.path, self.ctx))
            }
        };
        r.map_err(|e| self.stamp(e))
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let text = self.scalar_text().unwrap_or_default();
                visitor.visit_string(text)
            }
            _ => return Err(self.type_error("a string")),
        };
        r.map_err(|e| self.stamp(e))
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Bool(b) => visitor.visit_bool(*b).map_err(|e| self.stamp(e)),
            _ => Err(self.type_error("true or false")),
        }
    }

    fn deserialize_u8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Int(i) => self.visit_int(*i, visitor).map_err(|e| self.stamp(e)),
            _ => Err(self.type_error("an integer")),
        }
    }
    fn deserialize_i8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_i16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_i32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_i64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }
    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Float(x) => visitor.visit_f64(*x),
            #[allow(clippy::cast_precision_loss)] // an integer written where a number is due
            Value::Int(i) => visitor.visit_f64(*i as f64),
            _ => return Err(self.type_error("a number")),
        };
        r.map_err(|e| self.stamp(e))
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(NodeDe { ..self }),
        };
        r.map_err(|e| self.stamp(e))
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Seq(items) => visitor
                .visit_seq(SeqDe::new(items, self.path, self.ctx))
                .map_err(|e| self.stamp(e)),
            _ => Err(self.type_error("a sequence (a list)")),
        }
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Map(entries) => visitor
                .visit_map(MapDe::new(entries, None, self.path, self.ctx))
                .map_err(|e| self.stamp(e)),
            _ => Err(self.type_error("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Value::Map(entries) = &self.node.value else {
            return Err(self.type_error("a mapping"));
        };
        for (key, _) in entries {
            if !fields.contains(&key.name.as_str()) {
                self.ctx
                    .unknown
                    .borrow_mut()
                    .push(unknown_field(key, fields, self.path));
            }
        }
        visitor
            .visit_map(MapDe::new(entries, Some(fields), self.path, self.ctx))
            .map_err(|e| self.stamp(e))
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Str(s) => visitor
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: DeError| self.stamp(e)),
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Null => visitor.visit_unit().map_err(|e| self.stamp(e)),
            _ => Err(self.type_error("null")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        i128 u128 char bytes byte_buf unit_struct newtype_struct tuple tuple_struct
    }
}

fn unknown_field(key: &Key, fields: &[&str], parent: &PathLink<'_>) -> DeError {
    let mut message = format!("unknown field `{}`", key.name);
    match suggest(&key.name, fields.iter().copied()) {
        Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
        None if fields.is_empty() => message.push_str("; this mapping takes no fields"),
        None => message.push_str(&format!("; expected one of {}", list(fields))),
    }
    let link = PathLink::Key(parent, &key.name);
    DeError {
        message,
        path: Some(link.to_field_path()),
        span: key.span,
        unknown_field: true,
    }
}

struct SeqDe<'a, 'p> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    path: &'p PathLink<'p>,
    ctx: &'a Context<'a>,
}

impl<'a, 'p> SeqDe<'a, 'p> {
    fn new(items: &'a [Node], path: &'p PathLink<'p>, ctx: &'a Context<'a>) -> Self {
        SeqDe {
            items: items.iter(),
            index: 0,
            path,
            ctx,
        }
    }
}

impl<'a> SeqAccess<'a> for SeqDe<'a, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let link = PathLink::Index(self.path, self.index);
        self.index += 1;
        // Stamp here too: some impls (ipnetwork) read a string, then fail after returning.
        seed.deserialize(NodeDe {
            node,
            path: &link,
            ctx: self.ctx,
        })
        .map(Some)
        .map_err(|e| e.at_node(&link, node))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a, 'p> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    /// Known fields when reading a struct: other keys were reported and are skipped.
    fields: Option<&'static [&'static str]>,
    pending: Option<&'a (Key, Node)>,
    path: &'p PathLink<'p>,
    ctx: &'a Context<'a>,
}

impl<'a, 'p> MapDe<'a, 'p> {
    fn new(
        entries: &'a [(Key, Node)],
        fields: Option<&'static [&'static str]>,
        path: &'p PathLink<'p>,
        ctx: &'a Context<'a>,
    ) -> Self {
        MapDe {
            entries: entries.iter(),
            fields,
            pending: None,
            path,
            ctx,
        }
    }
}

impl<'a> MapAccess<'a> for MapDe<'a, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let entry = loop {
            match self.entries.next() {
                None => return Ok(None),
                Some(e) if self.fields.is_some_and(|f| !f.contains(&e.0.name.as_str())) => continue,
                Some(e) => break e,
            }
        };
        self.pending = Some(entry);
        let link = PathLink::Key(self.path, &entry.0.name);
        seed.deserialize(entry.0.name.as_str().into_deserializer())
            .map(Some)
            .map_err(|e: DeError| e.at(&link, entry.0.span))
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, node)) = self.pending.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        let link = PathLink::Key(self.path, &key.name);
        seed.deserialize(NodeDe {
            node,
            path: &link,
            ctx: self.ctx,
        })
        .map_err(|e| e.at_node(&link, node))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_and_typos_are_suggested() {
        let fields = ["public_ip", "bgp_peering_address", "zone"];
        assert_eq!(
            suggest("publicIp", fields.iter().copied()),
            Some("public_ip")
        );
        assert_eq!(
            suggest("public_iq", fields.iter().copied()),
            Some("public_ip")
        );
        assert_eq!(suggest("zones", fields.iter().copied()), Some("zone"));
        assert_eq!(suggest("colour", fields.iter().copied()), None);
    }
}
