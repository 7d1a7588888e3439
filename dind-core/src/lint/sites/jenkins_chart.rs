//! The Jenkins Helm chart's values (jenkinsci/helm-charts, chart `jenkins`), read as the chart
//! turns them into JCasC (its `templates/_helpers.tpl`: `jenkins.casc.defaults` and
//! `jenkins.casc.podTemplate`, chart 5.9):
//! - `agent.*` is the default pod template (unless `agent.disableDefaultAgent`): its side
//!   container (`sideContainerName`, `jnlp` by default, with `image.registry`/`repository`/`tag`,
//!   `command`, `args`, `privileged`, `runAsUser`, `runAsGroup`, `resources`, `TTYEnabled`,
//!   `workingDir`, `alwaysPullImage`, `livenessProbe`), then `additionalContainers` (each with its
//!   own `sideContainerName`, `image`, `command`, `args`, `privileged`, ..., the agent's values
//!   where it sets none), the pod's `envVars`/`secretEnvVars`, `volumes` (by `type`),
//!   `yamlTemplate` (trimmed) and `yamlMergeStrategy`;
//! - each `additionalAgents.NAME` is a template of its own that inherits every `agent.*` value it
//!   does not set (Sprig's `merge`, so a `false`, `0` or empty value it sets counts as unset,
//!   except `runAsUser`/`runAsGroup` and an empty `additionalContainers`);
//! - each `agent.podTemplates.NAME` is JCasC YAML: a list of templates (`containers:`, `yaml:`);
//! - each `additionalClouds.NAME` is another cloud whose values are merged over the root's;
//! - each `controller.JCasC.configScripts.NAME` is any JCasC YAML.
//!
//! The agent templates exist only with `agent.enabled` and `controller.JCasC.defaultConfig`
//! (both true by default). The values are found at the top of a document, under one key (an
//! umbrella chart's `jenkins:`), in a Flux `HelmRelease`'s `spec.values`, and in an Argo CD
//! `Application`'s `spec.source(s).helm.valuesObject` or `values` string. Every string went
//! through the chart's `tpl`, so a `{{ ... }}` in it is unknown.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::lint::Outcome;
use crate::lint::casc::{self, Lines, Template, Written};
use crate::lint::pods::Fragment;
use crate::rules::Context;
use crate::yaml::{Document, Limits, read_documents};

/// The chart's own defaults for the `agent` values that make a pod template (chart 5.9.53,
/// `values.yaml`).
fn agent_defaults() -> Value {
    json!({
        "enabled": true,
        "podName": "default",
        "image": {"registry": "", "repository": "jenkins/inbound-agent", "tag": "3385.vf1123fb_515da_-1"},
        "workingDir": "/home/jenkins/agent",
        "privileged": false,
        "resources": {"requests": {"cpu": "512m", "memory": "512Mi"}, "limits": {"cpu": "512m", "memory": "512Mi"}},
        "alwaysPullImage": false,
        "args": "${computer.jnlpmac} ${computer.name}",
        "sideContainerName": "jnlp",
        "TTYEnabled": false,
        "yamlTemplate": "",
        "yamlMergeStrategy": "override",
        "inheritYamlMergeStrategy": false,
        "additionalContainers": [],
        "disableDefaultAgent": false,
        "podTemplates": {},
        "volumes": [],
        "envVars": [],
        "secretEnvVars": [],
        "hostNetworking": false,
    })
}

/// Keys only the chart's `agent` values carry (another chart's `agent:` is not this one).
const AGENT_KEYS: &[&str] = &[
    "podTemplates",
    "additionalContainers",
    "yamlTemplate",
    "sideContainerName",
    "podName",
    "containerCap",
    "TTYEnabled",
    "customJenkinsLabels",
    "disableDefaultAgent",
    "yamlMergeStrategy",
    "jenkinsTunnel",
    "componentName",
    "defaultsProviderTemplate",
    "jnlpregistry",
];

fn is_chart_values(v: &Value) -> bool {
    let Some(m) = v.as_object() else { return false };
    let agent = m
        .get("agent")
        .and_then(Value::as_object)
        .is_some_and(|a| AGENT_KEYS.iter().any(|k| a.contains_key(*k)));
    let controller = m
        .get("controller")
        .and_then(|c| c.get("JCasC"))
        .is_some_and(Value::is_object);
    let more = ["additionalAgents", "additionalClouds"].iter().any(|k| {
        m.get(*k)
            .and_then(Value::as_object)
            .is_some_and(|x| x.values().all(Value::is_object))
    });
    agent || controller || more
}

/// Where a document holds the chart's values: paths below the document (`""`, `jenkins`,
/// `spec.values`), and values held as a YAML string (an Argo CD `helm.values`).
pub(crate) enum Held<'v> {
    /// Values as a mapping at this document path.
    At(String, &'v Value),
    /// Values as YAML text, the string at this document path.
    Text(String, &'v str),
}

/// The chart's values a document holds, if any.
pub(crate) fn values_in(doc: &Value) -> Vec<Held<'_>> {
    let mut out = Vec::new();
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind == "HelmRelease" && api.starts_with("helm.toolkit.fluxcd.io") {
        if let Some(v) = doc.pointer("/spec/values").filter(|v| is_chart_values(v)) {
            out.push(Held::At("spec.values".into(), v));
        }
        return out;
    }
    if kind == "Application" && api.starts_with("argoproj.io") {
        let mut sources: Vec<(String, &Value)> = Vec::new();
        if let Some(s) = doc.pointer("/spec/source") {
            sources.push(("spec.source".into(), s));
        }
        for (i, s) in doc
            .pointer("/spec/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            sources.push((format!("spec.sources[{i}]"), s));
        }
        for (at, s) in sources {
            if let Some(v) = s.pointer("/helm/valuesObject").filter(|v| is_chart_values(v)) {
                out.push(Held::At(format!("{at}.helm.valuesObject"), v));
            }
            if let Some(t) = s.pointer("/helm/values").and_then(Value::as_str) {
                out.push(Held::Text(format!("{at}.helm.values"), t));
            }
        }
        return out;
    }
    if doc.get("kind").is_some() {
        return out;
    }
    if is_chart_values(doc) {
        out.push(Held::At(String::new(), doc));
    } else if let Some(m) = doc.as_object() {
        for (k, v) in m {
            if !k.contains(['.', '[']) && is_chart_values(v) {
                out.push(Held::At(k.clone(), v));
            }
        }
    }
    out
}

/// What a string in the chart's values holds, for `--fix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    /// The chart's values, as YAML (an Argo CD `helm.values`).
    Values,
    /// A list of JCasC pod templates (`agent.podTemplates.NAME`).
    Templates,
    /// JCasC documents (`controller.JCasC.configScripts.NAME`).
    Jcasc,
    /// Pod YAML merged into a template (`yamlTemplate`).
    Pod,
}

/// The strings of a document's chart values that hold YAML dind reads, by document path.
pub(crate) fn texts_in(doc: &Value) -> Vec<(String, Text)> {
    let mut out = Vec::new();
    let strings = |v: Option<&Value>, at: String, kind: Text, out: &mut Vec<(String, Text)>| {
        for (k, s) in v.and_then(Value::as_object).into_iter().flatten() {
            if s.is_string() {
                out.push((format!("{at}.{k}"), kind));
            }
        }
    };
    let agent = |a: Option<&Value>, at: String, out: &mut Vec<(String, Text)>| {
        if a.and_then(|a| a.get("yamlTemplate")).is_some_and(Value::is_string) {
            out.push((format!("{at}.yamlTemplate"), Text::Pod));
        }
        strings(
            a.and_then(|a| a.get("podTemplates")),
            format!("{at}.podTemplates"),
            Text::Templates,
            out,
        );
    };
    let additional = |m: Option<&Value>, at: String, out: &mut Vec<(String, Text)>| {
        for (name, a) in m.and_then(Value::as_object).into_iter().flatten() {
            if a.get("yamlTemplate").is_some_and(Value::is_string) {
                out.push((join(&at, &format!("{name}.yamlTemplate")), Text::Pod));
            }
        }
    };
    for held in values_in(doc) {
        match held {
            Held::Text(at, _) => out.push((at, Text::Values)),
            Held::At(at, values) => {
                agent(values.get("agent"), join(&at, "agent"), &mut out);
                additional(values.get("additionalAgents"), join(&at, "additionalAgents"), &mut out);
                for (name, cloud) in values
                    .get("additionalClouds")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let cloud_at = join(&at, &format!("additionalClouds.{name}"));
                    agent(cloud.get("agent"), join(&cloud_at, "agent"), &mut out);
                    additional(
                        cloud.get("additionalAgents"),
                        join(&cloud_at, "additionalAgents"),
                        &mut out,
                    );
                }
                strings(
                    values.pointer("/controller/JCasC/configScripts"),
                    join(&at, "controller.JCasC.configScripts"),
                    Text::Jcasc,
                    &mut out,
                );
            }
        }
    }
    out
}

/// One source of values, as the chart merges them: a mapping at a document path (`None` for
/// the chart's defaults), and whether a `false`, `0` or empty value in it counts as unset
/// (Sprig's `merge`) or as set (Helm's coalescing of user values over the defaults).
struct Layer<'v> {
    value: Option<&'v Value>,
    at: Option<String>,
    zero_unset: bool,
}

impl<'v> Layer<'v> {
    fn user(value: Option<&'v Value>, at: String) -> Self {
        Layer {
            value,
            at: Some(at),
            zero_unset: false,
        }
    }

    fn merged(value: Option<&'v Value>, at: String) -> Self {
        Layer {
            value,
            at: Some(at),
            zero_unset: true,
        }
    }

    fn defaults(value: &'v Value) -> Self {
        Layer {
            value: Some(value),
            at: None,
            zero_unset: false,
        }
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ if b.starts_with('[') => format!("{a}{b}"),
        _ => format!("{a}.{b}"),
    }
}

/// Values merged from layers (first layer first): the value, and for each key path (`image.tag`)
/// the document path it was written at; chart defaults have none.
#[derive(Clone, Debug, Default)]
struct Effective {
    value: Value,
    sources: BTreeMap<String, String>,
    /// The document path of what these values make (an `additionalAgents` entry), for a value
    /// the document does not set.
    home: String,
}

fn merge_at(layers: &[(Option<&Value>, &Layer<'_>)], key: &str, sources: &mut BTreeMap<String, String>) -> Value {
    let counts = |(v, l): &(Option<&Value>, &Layer<'_>)| {
        v.is_some_and(|v| if l.zero_unset { !is_zero(v) } else { !v.is_null() })
    };
    let Some(first) = layers.iter().find(|x| counts(x)) else {
        return Value::Null;
    };
    let Some(Value::Object(_)) = first.0 else {
        if let Some(at) = &first.1.at {
            sources.insert(key.to_string(), join(at, key));
        }
        return first.0.cloned().unwrap_or(Value::Null);
    };
    if let Some(at) = &first.1.at {
        sources.entry(key.to_string()).or_insert_with(|| join(at, key));
    }
    let mut keys: Vec<&String> = Vec::new();
    for (v, l) in layers {
        if let Some(Value::Object(m)) = v
            && counts(&(*v, *l))
        {
            for k in m.keys() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    let mut out = Map::new();
    for k in keys {
        let below: Vec<(Option<&Value>, &Layer<'_>)> = layers
            .iter()
            .map(|(v, l)| (v.and_then(|v| v.get(k.as_str())), *l))
            .collect();
        let v = merge_at(&below, &join(key, k), sources);
        if !v.is_null() {
            out.insert(k.clone(), v);
        }
    }
    Value::Object(out)
}

impl Effective {
    fn of(layers: &[Layer<'_>], home: &str) -> Effective {
        let mut sources = BTreeMap::new();
        let pairs: Vec<(Option<&Value>, &Layer<'_>)> = layers.iter().map(|l| (l.value, l)).collect();
        let value = merge_at(&pairs, "", &mut sources);
        Effective {
            value,
            sources,
            home: home.to_string(),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        let mut v = &self.value;
        for k in key.split('.') {
            v = v.get(k)?;
        }
        (!v.is_null()).then_some(v)
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    fn truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| !is_zero(v))
    }

    /// Where `key` is written: its own path, its nearest written ancestor's, or the home.
    fn source(&self, key: &str) -> String {
        let mut k = key;
        loop {
            if let Some(s) = self.sources.get(k) {
                return s.clone();
            }
            match k.rfind('.') {
                Some(i) => k = &k[..i],
                None => return self.home.clone(),
            }
        }
    }

    /// Sets `key` to `value`, written at `at`.
    fn set(&mut self, key: &str, value: Value, at: Option<String>) {
        if let Value::Object(m) = &mut self.value {
            m.insert(key.to_string(), value);
        }
        match at {
            Some(at) => self.sources.insert(key.to_string(), at),
            None => self.sources.remove(key),
        };
    }
}

/// A JCasC template mapping made from values, and the document path each of its fields came from.
struct Synthetic {
    value: Value,
    /// Template path (`containers[1].privileged`) → document path.
    sources: BTreeMap<String, String>,
    /// Its `yaml`, from `yamlTemplate`.
    yaml: Option<Fragment>,
    label: String,
    home: String,
    /// Template path → where `--fix` edits it (the fields it knows how to write back).
    writable: BTreeMap<String, Written>,
}

impl Synthetic {
    /// Where the template's field `path` is written in the values, for `--fix`.
    fn written(&self, path: &str) -> Written {
        self.writable.get(path).cloned().unwrap_or_else(|| {
            Written::No(format!(
                "the chart makes the template's `{path}` of other values; edit the values by hand"
            ))
        })
    }
}

/// A string as the chart writes it with `replace "$" "^$"`: JCasC gives the plugin the value as
/// written in the values.
fn escaped(s: &str) -> Value {
    Value::String(s.replace('$', "^$"))
}

/// A values scalar as the chart writes it unescaped into JCasC (JCasC then substitutes `${...}`).
fn raw(v: &Value) -> Value {
    match v {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => v.clone(),
        _ => Value::Null,
    }
}

/// The container template of the side container (from the agent's values) or of an
/// `additionalContainers` entry (from its merged values), at template path `at`.
fn container(
    e: &Effective,
    at: &str,
    side: bool,
    sources: &mut BTreeMap<String, String>,
    writable: &mut BTreeMap<String, Written>,
) -> Value {
    // `image` is `[registry/]repository:tag`, written back as the tag; `privileged` as itself.
    // Both at the values that make this container: where they are written there, else set there
    // (not at the values it inherits, which make other templates too).
    let own = |key: &str| {
        e.sources
            .get(key)
            .filter(|s| {
                s.strip_prefix(e.home.as_str())
                    .is_some_and(|r| r.starts_with(['.', '[']))
            })
            .cloned()
            .unwrap_or_else(|| join(&e.home, key))
    };
    if let Some(repo) = e.str("image.repository") {
        let registry = e.str("image.registry").filter(|r| side && !r.is_empty());
        let prefix = registry.map_or_else(|| format!("{repo}:"), |r| format!("{r}/{repo}:"));
        writable.insert(
            format!("{at}.image"),
            Written::Tag {
                path: own("image.tag"),
                prefix,
            },
        );
    }
    for (field, key) in [
        ("privileged", "privileged"),
        ("resourceRequestMemory", "resources.requests.memory"),
        ("resourceLimitMemory", "resources.limits.memory"),
        ("resourceRequestCpu", "resources.requests.cpu"),
        ("resourceLimitCpu", "resources.limits.cpu"),
    ] {
        writable.insert(format!("{at}.{field}"), Written::Same(own(key)));
    }
    // `command` and `args` are strings of words the chart passes as they are written.
    for key in ["command", "args"] {
        if e.get(key).is_some_and(Value::is_string) {
            writable.insert(format!("{at}.{key}"), Written::Same(own(key)));
        }
    }
    let mut c = Map::new();
    let mut set = |k: &str, v: Value, source: String| {
        if !v.is_null() {
            c.insert(k.to_string(), v);
            sources.insert(format!("{at}.{k}"), source);
        }
    };
    set(
        "name",
        raw(e.get("sideContainerName").unwrap_or(&Value::Null)),
        e.source("sideContainerName"),
    );
    if let Some(repo) = e.str("image.repository") {
        let tag = e.str("image.tag").unwrap_or("");
        let image = match e.str("image.registry").filter(|r| side && !r.is_empty()) {
            Some(registry) => format!("{registry}/{repo}:{tag}"),
            None => format!("{repo}:{tag}"),
        };
        let source = if e.sources.contains_key("image.tag") {
            e.source("image.tag")
        } else {
            e.source("image.repository")
        };
        set("image", Value::String(image), source);
    }
    if let Some(args) = e.get("args").and_then(Value::as_str) {
        set("args", escaped(args), e.source("args"));
    }
    for (key, field) in [
        ("command", "command"),
        ("workingDir", "workingDir"),
        ("privileged", "privileged"),
        ("TTYEnabled", "ttyEnabled"),
        ("alwaysPullImage", "alwaysPullImage"),
        ("runAsUser", "runAsUser"),
        ("runAsGroup", "runAsGroup"),
        ("resources.requests.cpu", "resourceRequestCpu"),
        ("resources.requests.memory", "resourceRequestMemory"),
        ("resources.limits.cpu", "resourceLimitCpu"),
        ("resources.limits.memory", "resourceLimitMemory"),
    ] {
        if let Some(v) = e.get(key) {
            set(field, raw(v), e.source(key));
        }
    }
    if side {
        for (key, field) in [
            ("resources.requests.ephemeralStorage", "resourceRequestEphemeralStorage"),
            ("resources.limits.ephemeralStorage", "resourceLimitEphemeralStorage"),
        ] {
            if let Some(v) = e.get(key) {
                set(field, raw(v), e.source(key));
            }
        }
    }
    if let Some(p) = e.get("livenessProbe").filter(|p| p.get("execArgs").is_some()) {
        set("livenessProbe", p.clone(), e.source("livenessProbe"));
    }
    Value::Object(c)
}

/// The merged values of an `additionalContainers` entry written at `at`: its own, and the agent's
/// where the chart falls back to them (`| default`: `alwaysPullImage`, `TTYEnabled`,
/// `workingDir`; unset: `runAsUser`, `runAsGroup`; no `resources` at all: the agent's).
fn additional_container(own: &Value, at: &str, agent: &Effective) -> Effective {
    let mut e = Effective::of(&[Layer::user(Some(own), at.to_string())], at);
    for k in ["alwaysPullImage", "TTYEnabled", "workingDir"] {
        if e.get(k).is_none_or(is_zero)
            && let Some(v) = agent.get(k)
        {
            e.set(k, v.clone(), agent.sources.get(k).cloned());
        }
    }
    for k in ["runAsUser", "runAsGroup"] {
        if e.get(k).is_none()
            && let Some(v) = agent.get(k)
        {
            e.set(k, v.clone(), agent.sources.get(k).cloned());
        }
    }
    if !e.truthy("resources")
        && let Some(r) = agent.get("resources")
    {
        e.set("resources", r.clone(), agent.sources.get("resources").cloned());
        for (k, s) in &agent.sources {
            if k.starts_with("resources.") {
                e.sources.insert(k.clone(), s.clone());
            }
        }
    }
    e
}

/// The volume symbol of a chart volume `type`.
fn volume_symbol(t: &str) -> &str {
    match t {
        "ConfigMap" => "configMapVolume",
        "EmptyDir" => "emptyDirVolume",
        "EphemeralVolume" => "genericEphemeralVolume",
        "HostPath" => "hostPathVolume",
        "Nfs" => "nfsVolume",
        "PVC" => "persistentVolumeClaim",
        "Secret" => "secretVolume",
        other => other,
    }
}

/// Where a text's lines are in the file.
type LineMap<'a> = &'a dyn Fn(usize) -> usize;

/// The text layer the values were read from: its documents' text, and how its lines map to the file.
pub(crate) struct Source<'a> {
    pub doc: &'a Document,
    pub text: &'a str,
    pub to_file: LineMap<'a>,
}

impl Source<'_> {
    fn line(&self, path: &str) -> usize {
        (self.to_file)(self.doc.line_of(path))
    }

    /// The string at `path` as a fragment of the file: its lines mapped through its block scalar.
    /// `trim` drops the lines the chart's `trim` drops at its start.
    fn fragment(&self, path: &str, value: &str, trim: bool) -> Fragment {
        let lines = crate::lint::TemplateLines::new(self.text, self.doc.line_of(path));
        let (value, skipped) = if trim {
            let start = value.len() - value.trim_start().len();
            let skipped = value[..start].matches('\n').count();
            (value.trim().to_string(), skipped)
        } else {
            (value.to_string(), 0)
        };
        let count = value.lines().count().max(1);
        Fragment {
            lines: (1..=count).map(|l| (self.to_file)(lines.line(l + skipped))).collect(),
            line: (self.to_file)(lines.line(1 + skipped)),
            value,
        }
    }
}

/// The pod template the chart makes of agent values `e` (the default agent or an
/// `additionalAgents` entry), named in the report as `label`.
fn agent_template(e: &Effective, label: String, source: &Source<'_>) -> Synthetic {
    let mut sources = BTreeMap::new();
    let mut writable = BTreeMap::new();
    sources.insert(String::new(), e.home.clone());
    let mut t = Map::new();
    if let Some(name) = e.get("podName") {
        t.insert("name".into(), raw(name));
    }
    let mut containers = vec![container(e, "containers[0]", true, &mut sources, &mut writable)];
    let extra = e
        .get("additionalContainers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let at = e.source("additionalContainers");
    for (i, own) in extra.iter().enumerate() {
        let own_at = format!("{at}[{i}]");
        let ce = additional_container(own, &own_at, e);
        let path = format!("containers[{}]", i + 1);
        sources.insert(path.clone(), own_at);
        containers.push(container(&ce, &path, false, &mut sources, &mut writable));
    }
    t.insert("containers".into(), Value::Array(containers));
    let mut env = Vec::new();
    for (i, v) in e
        .get("envVars")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        env.push(json!({"envVar": {"key": raw(v.get("name").unwrap_or(&Value::Null)),
            "value": raw(v.get("value").unwrap_or(&Value::Null))}}));
        sources.insert(
            format!("envVars[{}]", env.len() - 1),
            format!("{}[{i}]", e.source("envVars")),
        );
    }
    for (i, v) in e
        .get("secretEnvVars")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        env.push(
            json!({"secretEnvVar": {"key": raw(v.get("key").unwrap_or(&Value::Null)),
            "secretName": raw(v.get("secretName").unwrap_or(&Value::Null)),
            "secretKey": raw(v.get("secretKey").unwrap_or(&Value::Null))}}),
        );
        sources.insert(
            format!("envVars[{}]", env.len() - 1),
            format!("{}[{i}]", e.source("secretEnvVars")),
        );
    }
    if !env.is_empty() {
        t.insert("envVars".into(), Value::Array(env));
    }
    let mut volumes = Vec::new();
    for (i, v) in e
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(m) = v.as_object() else { continue };
        let kind = m.get("type").and_then(Value::as_str).unwrap_or("");
        let fields: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| k.as_str() != "type")
            .map(|(k, v)| (k.clone(), raw(v)))
            .collect();
        volumes.push(json!({volume_symbol(kind): Value::Object(fields)}));
        sources.insert(format!("volumes[{i}]"), format!("{}[{i}]", e.source("volumes")));
    }
    if !volumes.is_empty() {
        t.insert("volumes".into(), Value::Array(volumes));
    }
    for (key, field) in [
        ("yamlMergeStrategy", "yamlMergeStrategy"),
        ("inheritYamlMergeStrategy", "inheritYamlMergeStrategy"),
    ] {
        if let Some(v) = e.get(key) {
            t.insert(field.into(), raw(v));
        }
    }
    if e.truthy("hostNetworking") {
        t.insert("hostNetwork".into(), json!(true));
    }
    let yaml = e
        .str("yamlTemplate")
        .filter(|y| !y.trim().is_empty())
        .map(|y| source.fragment(&e.source("yamlTemplate"), y, true));
    Synthetic {
        value: Value::Object(t),
        sources,
        yaml,
        label,
        home: e.home.clone(),
        writable,
    }
}

/// The values of one cloud, as the chart merges them.
struct Cloud<'v> {
    /// The layers of its `agent` values, first first.
    agent: Vec<Layer<'v>>,
    /// Its `additionalAgents`: each name with its layers (above the agent's).
    additional: Vec<(String, Vec<Layer<'v>>)>,
    /// Its `agent.podTemplates`: each name with the string and where it is written.
    pod_templates: Vec<(String, &'v str, String)>,
    /// What to call it in the report.
    label: String,
    /// Where its values are written.
    home: String,
}

/// The agent's `podTemplates` strings of a set of values, by name.
fn pod_templates<'v>(agent: Option<&'v Value>, at: &str) -> Vec<(String, &'v str, String)> {
    agent
        .and_then(|a| a.get("podTemplates"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?, format!("{at}.podTemplates.{k}"))))
        .collect()
}

fn clouds<'v>(values: &'v Value, at: &str, defaults: &'v Value) -> Vec<Cloud<'v>> {
    let agent_at = join(at, "agent");
    let root_agent = values.get("agent");
    let root_additional: Vec<(&String, &'v Value)> = values
        .get("additionalAgents")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    let mut out = vec![Cloud {
        agent: vec![Layer::user(root_agent, agent_at.clone()), Layer::defaults(defaults)],
        additional: root_additional
            .iter()
            .map(|(name, v)| {
                (
                    (*name).clone(),
                    vec![Layer::merged(Some(*v), join(at, &format!("additionalAgents.{name}")))],
                )
            })
            .collect(),
        pod_templates: pod_templates(root_agent, &agent_at),
        label: String::new(),
        home: agent_at.clone(),
    }];
    for (name, cloud) in values
        .get("additionalClouds")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let cloud_at = join(at, &format!("additionalClouds.{name}"));
        let own_agent = cloud.get("agent");
        let own_agent_at = join(&cloud_at, "agent");
        let override_agents = cloud.get("additionalAgentsOverride").and_then(Value::as_bool) == Some(true);
        let mut names: Vec<String> = cloud
            .get("additionalAgents")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if !override_agents {
            for (n, _) in &root_additional {
                if !names.contains(n) {
                    names.push((*n).clone());
                }
            }
        }
        let additional = names
            .into_iter()
            .map(|n| {
                let mut layers = vec![Layer::merged(
                    cloud.pointer(&format!("/additionalAgents/{n}")),
                    join(&cloud_at, &format!("additionalAgents.{n}")),
                )];
                if !override_agents {
                    layers.push(Layer::merged(
                        values.pointer(&format!("/additionalAgents/{n}")),
                        join(at, &format!("additionalAgents.{n}")),
                    ));
                }
                (n, layers)
            })
            .collect();
        let mut templates = pod_templates(own_agent, &own_agent_at);
        for t in pod_templates(root_agent, &agent_at) {
            if !templates.iter().any(|(n, _, _)| *n == t.0) {
                templates.push(t);
            }
        }
        out.push(Cloud {
            agent: vec![
                Layer::merged(own_agent, own_agent_at),
                Layer::user(root_agent, agent_at.clone()),
                Layer::defaults(defaults),
            ],
            additional,
            pod_templates: templates,
            label: format!("additionalClouds.{name}: "),
            home: cloud_at,
        });
    }
    out
}

/// What to call the templates of values at `at` in the report.
fn prefix_of(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!("{at}: ")
    }
}

/// The pod templates the chart makes of values `values` at `at` in `source`'s document, one
/// cloud at a time: `each` gets the cloud's templates (those made of the `agent` and
/// `additionalAgents` values first, then those of the `podTemplates` strings) and how many of
/// them the values make. Returns how many templates there are.
pub(crate) fn each_cloud(
    values: &Value,
    at: &str,
    source: &Source<'_>,
    each: &mut casc::EachSet<'_>,
) -> Result<usize, String> {
    let defaults = agent_defaults();
    let default_config = values
        .pointer("/controller/JCasC/defaultConfig")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut found = 0;
    let prefix = prefix_of(at);
    if default_config {
        for cloud in clouds(values, at, &defaults) {
            let agent = Effective::of(&cloud.agent, &cloud.home);
            if !agent.truthy("enabled") {
                continue;
            }
            let mut synthetic = Vec::new();
            if !agent.truthy("disableDefaultAgent") {
                synthetic.push(agent_template(&agent, format!("{prefix}{}agent", cloud.label), source));
            }
            let mut additional = cloud.additional;
            additional.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, mut layers) in additional {
                let home = layers.first().and_then(|l| l.at.clone()).unwrap_or_default();
                let own = layers.first().and_then(|l| l.value);
                layers.extend(cloud.agent.iter().map(|l| Layer {
                    value: l.value,
                    at: l.at.clone(),
                    zero_unset: l.zero_unset,
                }));
                let mut e = Effective::of(&layers, &home);
                // The chart keeps a `runAsUser`/`runAsGroup` the agent sets (even 0), and an
                // empty `additionalContainers` it sets.
                for k in ["runAsUser", "runAsGroup"] {
                    if let Some(v) = own.and_then(|o| o.get(k)).filter(|v| !v.is_null()) {
                        e.set(k, v.clone(), Some(join(&home, k)));
                    }
                }
                if own.and_then(|o| o.get("additionalContainers")).is_some_and(is_zero) {
                    e.set(
                        "additionalContainers",
                        json!([]),
                        Some(join(&home, "additionalContainers")),
                    );
                }
                synthetic.push(agent_template(
                    &e,
                    format!("{prefix}{}additionalAgents.{name}", cloud.label),
                    source,
                ));
            }
            // The `podTemplates` strings, read as JCasC template lists.
            let mut texts = cloud.pod_templates;
            texts.sort_by(|a, b| a.0.cmp(&b.0));
            let mut parsed = Vec::new();
            for (name, text, path) in &texts {
                let docs = read_documents(text, Limits::default())
                    .map_err(|e| format!("line {}: `{path}` is not YAML: {e}", source.line(path)))?;
                let block = crate::lint::TemplateLines::new(source.text, source.doc.line_of(path));
                parsed.push((name, *text, docs, block));
            }
            let maps: Vec<Box<dyn Fn(usize) -> usize + '_>> = parsed
                .iter()
                .map(|(_, _, _, block)| {
                    Box::new(move |l: usize| (source.to_file)(block.line(l))) as Box<dyn Fn(usize) -> usize>
                })
                .collect();
            let mut templates: Vec<Template<'_>> = Vec::new();
            for s in &synthetic {
                let lines = Lines(s.sources.iter().map(|(k, v)| (k.clone(), source.line(v))).collect());
                let fallback = source.line(&s.home);
                templates.push(Template {
                    label: s.label.clone(),
                    value: &s.value,
                    line_of: Box::new(move |p: &str| lines.of(p, fallback)),
                    yaml: s.yaml.clone(),
                    helm: true,
                    written: Box::new(|p: &str| s.written(p)),
                });
            }
            let own = templates.len();
            for ((name, text, docs, _), map) in parsed.iter().zip(&maps) {
                let Some(doc) = docs.iter().find(|d| !d.value.is_null()) else {
                    continue;
                };
                let label = format!("{prefix}{}agent.podTemplates.{name}: ", cloud.label);
                templates.extend(casc::templates_of_list(doc, text, &doc.value, "", &**map, &label, true));
            }
            found += templates.len();
            each(&templates, own)?;
        }
    }
    Ok(found)
}

/// Lints the pod templates the chart makes of values `values` at `at` in `source`'s document.
/// Returns how many templates were found.
fn lint_values(
    values: &Value,
    at: &str,
    source: &Source<'_>,
    ctx: &Context,
    out: &mut Outcome,
) -> Result<usize, String> {
    let prefix = prefix_of(at);
    let mut found = each_cloud(values, at, source, &mut |templates, _| {
        casc::lint_templates(templates, ctx, out)
    })?;
    // `controller.JCasC.configScripts`: JCasC documents of their own.
    let scripts_at = join(at, "controller.JCasC.configScripts");
    let mut scripts: Vec<(&String, &str)> = values
        .pointer("/controller/JCasC/configScripts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k, v.as_str()?)))
        .collect();
    scripts.sort();
    for (name, text) in scripts {
        let path = format!("{scripts_at}.{name}");
        let docs = read_documents(text, Limits::default())
            .map_err(|e| format!("line {}: `{path}` is not YAML: {e}", source.line(&path)))?;
        let block = crate::lint::TemplateLines::new(source.text, source.doc.line_of(&path));
        let map = |l: usize| (source.to_file)(block.line(l));
        for doc in &docs {
            found += casc::lint_document(
                doc,
                text,
                &map,
                &format!("{prefix}configScripts.{name}: "),
                true,
                ctx,
                out,
            )?;
        }
    }
    Ok(found)
}

/// Lints the chart values a document holds (see [`values_in`]), if any: `None` when it holds
/// none, else how many pod templates they make. `text` is the document's text and `to_file` maps
/// its lines to the file.
pub(crate) fn lint_document(
    doc: &Document,
    text: &str,
    to_file: LineMap<'_>,
    ctx: &Context,
    out: &mut Outcome,
) -> Result<Option<usize>, String> {
    let held = values_in(&doc.value);
    if held.is_empty() {
        return Ok(None);
    }
    let mut found = 0;
    let mut any = false;
    for h in held {
        match h {
            Held::At(at, values) => {
                any = true;
                let source = Source { doc, text, to_file };
                found += lint_values(values, &at, &source, ctx, out)?;
            }
            Held::Text(at, inner) => {
                let Ok(docs) = read_documents(inner, Limits::default()) else {
                    continue;
                };
                let block = crate::lint::TemplateLines::new(text, doc.line_of(&at));
                let map = |l: usize| to_file(block.line(l));
                for d in &docs {
                    if is_chart_values(&d.value) {
                        any = true;
                        let source = Source {
                            doc: d,
                            text: inner,
                            to_file: &map,
                        };
                        found += lint_values(&d.value, "", &source, ctx, out)?;
                    }
                }
            }
        }
    }
    Ok(any.then_some(found))
}
