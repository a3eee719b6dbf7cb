//! A read-only view of a parsed JSON document that knows where each value is: its JSON
//! pointer and, through the spanned tree, its line and column.
//!
//! Property names are looked up case-insensitively (an exact match first), as Azure treats
//! them: the same document may say `ipConfigurationId` and `ipconfigurationId`, and the
//! Azure CLI writes `publicIpAddress` where the REST API writes `publicIPAddress`. JSON
//! `null` reads as absent, as the Azure CLI writes unset properties as `null`.

use std::collections::HashMap;
use std::sync::Arc;

use super::SourceRef;
use crate::format::spanned::{Node, Value};
use crate::source::{FieldPath, SourceFile};

/// One input document: its name, its (secret-masked) text and its tree.
pub(crate) struct Doc {
    pub(crate) file: Arc<SourceFile>,
    pub(crate) tree: Node,
    /// ARM template expressions that could not be evaluated, by path, with the reason.
    pub(crate) unresolved: HashMap<FieldPath, String>,
}

/// A value in a document, with its path from the document root.
#[derive(Clone)]
pub(crate) struct J<'a> {
    pub(crate) doc: &'a Doc,
    pub(crate) node: &'a Node,
    pub(crate) path: FieldPath,
}

impl<'a> J<'a> {
    /// The document's root value.
    pub(crate) fn root(doc: &'a Doc) -> Self {
        J {
            doc,
            node: &doc.tree,
            path: FieldPath::root(),
        }
    }

    /// The value of a property (case-insensitive); `None` when absent, `null`, or when this
    /// is not an object.
    pub(crate) fn get(&self, key: &str) -> Option<J<'a>> {
        let Value::Map(entries) = &self.node.value else {
            return None;
        };
        let (k, node) = entries.iter().find(|(k, _)| k.name == key).or_else(|| {
            entries
                .iter()
                .find(|(k, _)| k.name.eq_ignore_ascii_case(key))
        })?;
        if matches!(node.value, Value::Null) {
            return None;
        }
        Some(J {
            doc: self.doc,
            node,
            path: self.path.clone().key(&k.name),
        })
    }

    /// The items of an array (empty when this is not an array).
    pub(crate) fn items(&self) -> Vec<J<'a>> {
        match &self.node.value {
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, node)| J {
                    doc: self.doc,
                    node,
                    path: self.path.clone().index(i),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The properties of an object, in document order (empty when this is not an object).
    pub(crate) fn entries(&self) -> Vec<(&'a str, J<'a>)> {
        match &self.node.value {
            Value::Map(entries) => entries
                .iter()
                .map(|(k, node)| {
                    (
                        k.name.as_str(),
                        J {
                            doc: self.doc,
                            node,
                            path: self.path.clone().key(&k.name),
                        },
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn is_map(&self) -> bool {
        matches!(self.node.value, Value::Map(_))
    }

    pub(crate) fn is_seq(&self) -> bool {
        matches!(self.node.value, Value::Seq(_))
    }

    /// Whether this is an object with at least one non-null property.
    pub(crate) fn is_nonempty_map(&self) -> bool {
        match &self.node.value {
            Value::Map(entries) => entries.iter().any(|(_, v)| !matches!(v.value, Value::Null)),
            _ => false,
        }
    }

    /// The string, when this is one.
    pub(crate) fn str(&self) -> Option<&'a str> {
        match &self.node.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What the value is, for messages ("a string", "an array").
    pub(crate) fn kind(&self) -> &'static str {
        match &self.node.value {
            Value::Seq(_) => "an array",
            Value::Map(_) => "an object",
            other => other.kind(),
        }
    }

    /// Where this value is.
    pub(crate) fn source(&self) -> SourceRef {
        source_of(self.doc, &self.path)
    }
}

/// The place of a path in a document.
pub(crate) fn source_of(doc: &Doc, path: &FieldPath) -> SourceRef {
    let span = doc.tree.span_of(path);
    SourceRef {
        file: doc.file.name().to_owned(),
        pointer: super::pointer(path),
        location: span.map(|s| doc.file.location(s.offset)),
        span,
    }
}
