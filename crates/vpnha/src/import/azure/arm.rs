//! ARM templates (`az group export`, the portal's "Export template"): the few template
//! expressions an export uses are evaluated before anything else reads the document.
//!
//! Supported: `parameters('x')` (a parameters file's `value`, else the template's
//! `defaultValue`), `variables('x')`, `concat(...)`, `format('{0}..', ...)`,
//! `resourceId([subscription,] [group,] type, name...)`, `toLower`, `toUpper`, `string`,
//! string, number and boolean literals. Each expression string in `resources` is replaced
//! in the tree by its value, keeping its position, so findings still point at it. An
//! expression that cannot be evaluated (`reference()`, `resourceGroup()`, a parameter
//! without a value, ...) is left as it is and its reason kept, so a field that needs it
//! reports `unsupported-expression` with that reason.

use std::collections::HashMap;

use crate::format::spanned::{Node, Value};
use crate::source::FieldPath;

/// The deepest nesting of expressions (and of parameters defined by expressions) evaluated.
const MAX_DEPTH: usize = 16;

/// Parameter values from ARM parameters files (`deploymentParameters.json` schema), by
/// lowercase name.
pub(crate) type Overrides = HashMap<String, Node>;

/// Whether a document is an ARM parameters file; if so, its values are added.
pub(crate) fn parameters_file(tree: &Node, out: &mut Overrides) -> bool {
    let Value::Map(root) = &tree.value else {
        return false;
    };
    let get = |k: &str| {
        root.iter()
            .find(|(key, _)| key.name.eq_ignore_ascii_case(k))
    };
    let schema = get("$schema").and_then(|(_, n)| match &n.value {
        Value::Str(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    });
    let is_params =
        schema.is_some_and(|s| s.contains("deploymentparameters")) && get("resources").is_none();
    if !is_params {
        return false;
    }
    if let Some((
        _,
        Node {
            value: Value::Map(params),
            ..
        },
    )) = get("parameters")
    {
        for (k, v) in params {
            if let Value::Map(fields) = &v.value
                && let Some((_, value)) = fields.iter().find(|(f, _)| f.name == "value")
            {
                out.insert(k.name.to_ascii_lowercase(), value.clone());
            }
        }
    }
    true
}

/// Whether a document is an ARM template: an object with a `resources` array and no `type`
/// of its own (which would make it one resource with child resources).
pub(crate) fn is_template(tree: &Node) -> bool {
    let Value::Map(root) = &tree.value else {
        return false;
    };
    let has = |k: &str| root.iter().any(|(key, _)| key.name.eq_ignore_ascii_case(k));
    let resources_is_seq = root.iter().any(|(key, v)| {
        key.name.eq_ignore_ascii_case("resources") && matches!(v.value, Value::Seq(_))
    });
    resources_is_seq && !has("type")
}

/// Evaluates the expressions under `resources` of a template in place. Returns the
/// pointers of expressions that could not be evaluated, with the reason.
pub(crate) fn resolve(tree: &mut Node, overrides: &Overrides) -> HashMap<FieldPath, String> {
    let mut scope = Scope {
        params: HashMap::new(),
        vars: HashMap::new(),
    };
    if let Value::Map(root) = &tree.value {
        for (key, node) in root {
            match (key.name.to_ascii_lowercase().as_str(), &node.value) {
                ("parameters", Value::Map(params)) => {
                    for (k, v) in params {
                        let name = k.name.to_ascii_lowercase();
                        let value = overrides.get(&name).cloned().or_else(|| match &v.value {
                            Value::Map(f) => f
                                .iter()
                                .find(|(f, _)| f.name.eq_ignore_ascii_case("defaultValue"))
                                .map(|(_, d)| d.clone()),
                            _ => None,
                        });
                        scope.params.insert(name, value);
                    }
                }
                ("variables", Value::Map(vars)) => {
                    for (k, v) in vars {
                        scope.vars.insert(k.name.to_ascii_lowercase(), v.clone());
                    }
                }
                _ => {}
            }
        }
    }
    let mut unresolved = HashMap::new();
    if let Value::Map(root) = &mut tree.value {
        for (key, node) in root.iter_mut() {
            if key.name.eq_ignore_ascii_case("resources") {
                let path = FieldPath::root().key(&key.name);
                rewrite(node, &path, &scope, &mut unresolved);
            }
        }
    }
    unresolved
}

struct Scope {
    params: HashMap<String, Option<Node>>,
    vars: HashMap<String, Node>,
}

fn rewrite(
    node: &mut Node,
    path: &FieldPath,
    scope: &Scope,
    unresolved: &mut HashMap<FieldPath, String>,
) {
    match &mut node.value {
        Value::Str(s) => {
            if let Some(literal) = s.strip_prefix("[[") {
                *s = format!("[{literal}");
            } else if let Some(expr) = expression(s) {
                match eval_str(expr, scope, 0) {
                    Ok(mut value) => {
                        value.span = node.span;
                        *node = value;
                    }
                    Err(why) => {
                        unresolved.insert(path.clone(), why);
                    }
                }
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                rewrite(v, &path.clone().key(&k.name), scope, unresolved);
            }
        }
        Value::Seq(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                rewrite(v, &path.clone().index(i), scope, unresolved);
            }
        }
        _ => {}
    }
}

/// The expression inside `[...]`, when a string is one.
pub(crate) fn expression(s: &str) -> Option<&str> {
    let t = s.trim();
    if t.starts_with("[[") {
        return None;
    }
    t.strip_prefix('[')?.strip_suffix(']')
}

fn eval_str(expr: &str, scope: &Scope, depth: usize) -> Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err("expressions nested too deeply".to_owned());
    }
    let tokens = tokenize(expr)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        scope,
        depth,
    };
    let v = p.expr(0)?;
    if p.pos != tokens.len() {
        return Err(format!("cannot read the expression `[{expr}]`"));
    }
    Ok(v)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Int(i128),
    Open,
    Close,
    Comma,
    Dot,
    LBracket,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        let punctuation = match c {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            ',' => Some(Tok::Comma),
            '.' => Some(Tok::Dot),
            '[' => Some(Tok::LBracket),
            _ => None,
        };
        if let Some(tok) = punctuation {
            chars.next();
            out.push(tok);
            continue;
        }
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                chars.next();
            }
            '\'' => {
                chars.next();
                let mut lit = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            lit.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => lit.push(c),
                        None => return Err("an unterminated string in an expression".to_owned()),
                    }
                }
                out.push(Tok::Str(lit));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut num = String::new();
                num.push(c);
                chars.next();
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    num.push(d);
                    chars.next();
                }
                let n = num
                    .parse::<i128>()
                    .map_err(|_| format!("`{num}` is not a number"))?;
                out.push(Tok::Int(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut id = String::new();
                while let Some(&d) = chars.peek().filter(|d| d.is_alphanumeric() || **d == '_') {
                    id.push(d);
                    chars.next();
                }
                out.push(Tok::Ident(id));
            }
            other => return Err(format!("unexpected `{other}` in an expression")),
        }
    }
    Ok(out)
}

struct Parser<'t, 's> {
    tokens: &'t [Tok],
    pos: usize,
    scope: &'s Scope,
    depth: usize,
}

fn node(value: Value) -> Node {
    Node { value, span: None }
}

impl Parser<'_, '_> {
    fn next(&mut self) -> Option<&Tok> {
        let t = self.tokens.get(self.pos);
        self.pos += 1;
        t
    }

    fn expr(&mut self, nesting: usize) -> Result<Node, String> {
        if nesting > MAX_DEPTH {
            return Err("expressions nested too deeply".to_owned());
        }
        let value = match self.next().cloned() {
            Some(Tok::Str(s)) => node(Value::Str(s)),
            Some(Tok::Int(i)) => node(Value::Int(i)),
            Some(Tok::Ident(id)) if id.eq_ignore_ascii_case("true") => node(Value::Bool(true)),
            Some(Tok::Ident(id)) if id.eq_ignore_ascii_case("false") => node(Value::Bool(false)),
            Some(Tok::Ident(id)) => {
                if self.next() != Some(&Tok::Open) {
                    return Err(format!("`{id}` is not a function call"));
                }
                let mut args = Vec::new();
                if self.tokens.get(self.pos) == Some(&Tok::Close) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.expr(nesting + 1)?);
                        match self.next() {
                            Some(Tok::Comma) => {}
                            Some(Tok::Close) => break,
                            _ => return Err(format!("cannot read the arguments of `{id}()`")),
                        }
                    }
                }
                self.call(&id, args)?
            }
            _ => return Err("cannot read the expression".to_owned()),
        };
        match self.tokens.get(self.pos) {
            Some(Tok::Dot | Tok::LBracket) => {
                Err("property access (`.name`, `[0]`) in expressions is not supported".to_owned())
            }
            _ => Ok(value),
        }
    }

    fn call(&mut self, name: &str, args: Vec<Node>) -> Result<Node, String> {
        let text = |n: &Node| -> Result<String, String> {
            match &n.value {
                Value::Str(s) => Ok(s.clone()),
                Value::Int(i) => Ok(i.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                other => Err(format!("`{name}()` needs text, found {}", other.kind())),
            }
        };
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "parameters" | "variables" => {
                let [arg] = args.as_slice() else {
                    return Err(format!("`{name}()` takes one argument"));
                };
                let key = text(arg)?;
                let found = if lower == "parameters" {
                    match self.scope.params.get(&key.to_ascii_lowercase()) {
                        Some(Some(v)) => v.clone(),
                        Some(None) => {
                            return Err(format!(
                                "parameter `{key}` has no `defaultValue`; give its value in a parameters file"
                            ));
                        }
                        None => return Err(format!("the template has no parameter `{key}`")),
                    }
                } else {
                    self.scope
                        .vars
                        .get(&key.to_ascii_lowercase())
                        .cloned()
                        .ok_or_else(|| format!("the template has no variable `{key}`"))?
                };
                // A parameter or variable may itself be an expression.
                match &found.value {
                    Value::Str(s) => match expression(s) {
                        Some(inner) => eval_str(inner, self.scope, self.depth + 1),
                        None => Ok(found),
                    },
                    _ => Ok(found),
                }
            }
            "concat" => {
                if !args.is_empty() && args.iter().all(|a| matches!(a.value, Value::Seq(_))) {
                    let mut items = Vec::new();
                    for a in args {
                        if let Value::Seq(v) = a.value {
                            items.extend(v);
                        }
                    }
                    return Ok(node(Value::Seq(items)));
                }
                let mut s = String::new();
                for a in &args {
                    s.push_str(&text(a)?);
                }
                Ok(node(Value::Str(s)))
            }
            "format" => {
                let Some((fmt, rest)) = args.split_first() else {
                    return Err("`format()` needs a format string".to_owned());
                };
                let mut s = text(fmt)?;
                for (i, a) in rest.iter().enumerate() {
                    s = s.replace(&format!("{{{i}}}"), &text(a)?);
                }
                Ok(node(Value::Str(s)))
            }
            "tolower" | "toupper" | "string" => {
                let [arg] = args.as_slice() else {
                    return Err(format!("`{name}()` takes one argument"));
                };
                let s = text(arg)?;
                Ok(node(Value::Str(match lower.as_str() {
                    "tolower" => s.to_lowercase(),
                    "toupper" => s.to_uppercase(),
                    _ => s,
                })))
            }
            "resourceid" => {
                let parts = args.iter().map(text).collect::<Result<Vec<_>, _>>()?;
                let Some(t) = parts.iter().position(|p| p.contains('/')) else {
                    return Err("`resourceId()` needs a resource type".to_owned());
                };
                let scope = match &parts[..t] {
                    [] => String::new(),
                    [group] => format!("/resourceGroups/{group}"),
                    [sub, group] => format!("/subscriptions/{sub}/resourceGroups/{group}"),
                    _ => return Err("`resourceId()` has too many arguments".to_owned()),
                };
                Ok(node(Value::Str(format!(
                    "{scope}{}",
                    super::collect::build_id(&parts[t], &parts[t + 1..].join("/"))
                ))))
            }
            _ => Err(format!(
                "`{name}()` can only be evaluated by Azure during a deployment"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str, params: &[(&str, Value)]) -> Result<Value, String> {
        let scope = Scope {
            params: params
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), Some(node(v.clone()))))
                .collect(),
            vars: HashMap::new(),
        };
        eval_str(expression(expr).unwrap(), &scope, 0).map(|n| n.value)
    }

    fn s(v: Result<Value, String>) -> String {
        match v {
            Ok(Value::Str(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn export_expressions_evaluate() {
        let p = [("gw_name", Value::Str("vpngw".into()))];
        assert_eq!(s(eval("[parameters('gw_name')]", &p)), "vpngw");
        assert_eq!(
            s(eval(
                "[concat(resourceId('Microsoft.Network/virtualNetworkGateways', parameters('gw_name')), '/ipConfigurations/default')]",
                &p
            )),
            "/providers/Microsoft.Network/virtualNetworkGateways/vpngw/ipConfigurations/default"
        );
        assert_eq!(
            s(eval(
                "[resourceId('rg2', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'GatewaySubnet')]",
                &p
            )),
            "/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet"
        );
        assert_eq!(s(eval("[format('{0}-{1}', 'a', 'it''s')]", &p)), "a-it's");
    }

    #[test]
    fn what_needs_a_deployment_is_refused_with_a_reason() {
        let e = eval("[reference('x').ipAddress]", &[]).unwrap_err();
        assert!(e.contains("during a deployment"), "{e}");
        let e = eval("[parameters('nope')]", &[]).unwrap_err();
        assert!(e.contains("no parameter `nope`"), "{e}");
        assert!(eval("[concat('a']", &[]).is_err());
        assert!(eval("[parameters('a').b]", &[("a", Value::Null)]).is_err());
    }
}
