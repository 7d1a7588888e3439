//! Pod YAML → `k8s_openapi` Pods (fragments welcome) → findings with lines.

use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::Finding;
use crate::Diagnostic;
use crate::rules::{Context, check};
use crate::yaml::{Limits, read_documents};

/// Reads a pod from a YAML/JSON value: a whole `Pod`, a pod without `kind`/`metadata`, or a bare
/// pod spec (`containers:` at the top). Returns the pod and the path prefix that maps pod paths
/// back into the document (empty, or `""` for a bare spec that maps `spec.` away).
pub fn pod_from_value(value: &Value) -> Result<(Pod, bool), String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "expected a Pod (a mapping with `spec.containers`), found {}",
            kind_of(value)
        ));
    };
    if let Some(kind) = map.get("kind").and_then(Value::as_str)
        && kind != "Pod"
    {
        return Err(format!("`kind: {kind}` is not a Pod"));
    }
    let bare_spec = !map.contains_key("spec") && map.contains_key("containers");
    let mut object = if bare_spec {
        serde_json::json!({ "spec": value })
    } else {
        value.clone()
    };
    if let Value::Object(o) = &mut object {
        o.insert("apiVersion".into(), Value::String("v1".into()));
        o.insert("kind".into(), Value::String("Pod".into()));
        if o.get("spec").is_none_or(|s| s.get("containers").is_none()) {
            return Err("no `spec.containers`: not a pod".to_string());
        }
    }
    let pod: Pod = serde_json::from_value(object).map_err(|e| format!("not a valid Pod: {e}"))?;
    Ok((pod, bare_spec))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Lints every document of `text`. `offset` lines are added to every line (for YAML embedded in
/// another file) and `map_line` maps a line of `text` to the original file's.
pub(super) fn lint_pods(
    text: &str,
    ctx: &Context,
    offset: usize,
    map_line: impl Fn(usize) -> usize,
) -> Result<Vec<Finding>, String> {
    let docs = read_documents(text, Limits::default())?;
    let mut out = Vec::new();
    let mut pods = 0;
    for doc in &docs {
        if doc.value.is_null() {
            continue;
        }
        pods += 1;
        match pod_from_value(&doc.value) {
            Ok((pod, bare)) => {
                for d in check(&pod, ctx) {
                    let path = if bare {
                        d.path.strip_prefix("spec.").unwrap_or(&d.path).to_string()
                    } else {
                        d.path.clone()
                    };
                    let line = map_line(doc.line_of(&path) + offset);
                    out.push(Finding { diagnostic: d, line });
                }
            }
            Err(message) => out.push(Finding {
                diagnostic: Diagnostic::input("", message),
                line: map_line(doc.line + offset),
            }),
        }
    }
    if pods == 0 {
        out.push(Finding {
            diagnostic: Diagnostic::input("", "no pod found: the input holds no YAML document"),
            line: map_line(1 + offset),
        });
    }
    Ok(out)
}
