//! The pod that the Jenkins Kubernetes plugin builds from `containerTemplate`s, as its
//! `PodTemplateBuilder` does:
//! - `command` and `args` are strings split on spaces, quotes grouping (Ant's
//!   `Commandline.translateCommandline`);
//! - every pod-level volume (`emptyDirVolume`, `hostPathVolume`, ...) is mounted into every
//!   container template, and so is the workspace volume at the working directory
//!   (`/home/jenkins/agent` unless `workingDir` says otherwise);
//! - `privileged`, `runAsUser` and `runAsGroup` make the container's `securityContext`;
//! - a `jnlp` container is added when none is given;
//! - with a `yaml:` fragment as well, the fragment is the parent: a container template of the
//!   same name overrides what it sets (image, command, args, working dir, tty), merges `env` by
//!   name and mounts by path, and new templates are appended (`PodTemplateUtils.combine`).
//!
//! A value dind cannot evaluate (a variable, an interpolation) is never guessed: an unknown
//! environment value reads as `valueFrom`, unknown `command`/`args` as an unknown `$(VAR)`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::groovy_calls::{GValue, Node, Token, calls_in};

/// The plugin's default working directory (`ContainerTemplate.DEFAULT_WORKING_DIR`).
use crate::conventions::JENKINS_WORKSPACE as DEFAULT_WORKING_DIR;
use crate::conventions::WORKSPACE_VOLUME;
/// The env var that stands for a value dind cannot evaluate.
const UNKNOWN_VAR: &str = "DIND_GROOVY_EXPRESSION";

/// A pod built from a `podTemplate(...)` call or a declarative `kubernetes { ... }` block.
#[derive(Clone, Debug)]
pub(crate) struct TemplatePod {
    /// The call or block's line.
    pub line: usize,
    /// Byte offset of its first token and of its end.
    pub span: (usize, usize),
    /// Its container templates, as container values, each with the lines of its fields.
    pub containers: Vec<(Value, FieldLines)>,
    /// The pod-level volumes (`volume-0`, ...) with their mount paths, and their lines.
    pub volumes: Vec<(Value, String, usize)>,
    /// Pod-level `envVars`.
    pub env: Vec<Value>,
    /// Byte offset of its `yaml` literal, when it has one.
    pub yaml_offset: Option<usize>,
}

/// The line of a container template and of each of its arguments (by pod field name).
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldLines {
    pub line: usize,
    pub fields: BTreeMap<&'static str, usize>,
    /// Where the scalar arguments that a fix may rewrite start (`image`, `privileged`), by pod
    /// field path below the container (`image`, `securityContext.privileged`).
    pub args: BTreeMap<&'static str, usize>,
}

/// Ant's `translateCommandline`: words split on spaces; `'...'` and `"..."` group, without
/// escapes.
pub(crate) fn split_command_line(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut had_quote = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                had_quote = true;
            }
            None if c == ' ' => {
                if !cur.is_empty() || had_quote {
                    out.push(std::mem::take(&mut cur));
                }
                had_quote = false;
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() || had_quote {
        out.push(cur);
    }
    out
}

fn text(node: Option<&Node>) -> Option<Result<String, String>> {
    match &node?.value {
        GValue::Str(s) => Some(Ok(s.clone())),
        GValue::Num(n) => Some(Ok(n.clone())),
        GValue::Bool(b) => Some(Ok(b.to_string())),
        GValue::Null => None,
        GValue::Unknown(why) => Some(Err(why.clone())),
        _ => Some(Err("a value that is not a string".into())),
    }
}

fn flag(node: Option<&Node>) -> Option<bool> {
    match &node?.value {
        GValue::Bool(b) => Some(*b),
        GValue::Str(s) => Some(s == "true"),
        _ => None,
    }
}

fn unknown_env() -> Value {
    json!({"name": UNKNOWN_VAR, "valueFrom": {"configMapKeyRef": {"name": "a-groovy-expression", "key": "value"}}})
}

/// An env var from `envVar(key:, value:)`, `containerEnvVar(...)`, `secretEnvVar(...)`.
fn env_var(n: &Node) -> Option<Value> {
    let key = match text(n.get("key"))? {
        Ok(k) => k,
        Err(_) => return None,
    };
    match n.call_name()? {
        "envVar" | "containerEnvVar" | "podEnvVar" => Some(match text(n.get("value")) {
            Some(Ok(v)) => json!({"name": key, "value": v}),
            None => json!({"name": key, "value": ""}),
            Some(Err(_)) => {
                json!({"name": key, "valueFrom": {"configMapKeyRef": {"name": "a-groovy-expression", "key": "value"}}})
            }
        }),
        "secretEnvVar" => Some(json!({"name": key, "valueFrom": {"secretKeyRef": {
            "name": text(n.get("secretName")).and_then(Result::ok).unwrap_or_default(),
            "key": text(n.get("secretKey")).and_then(Result::ok).unwrap_or_default()}}})),
        _ => None,
    }
}

fn resources(n: &Node, lines: &mut FieldLines) -> Option<Value> {
    let mut requests = Map::new();
    let mut limits = Map::new();
    for (arg, limit, key) in [
        ("resourceRequestMemory", false, "memory"),
        ("resourceRequestCpu", false, "cpu"),
        ("resourceRequestEphemeralStorage", false, "ephemeral-storage"),
        ("resourceLimitMemory", true, "memory"),
        ("resourceLimitCpu", true, "cpu"),
        ("resourceLimitEphemeralStorage", true, "ephemeral-storage"),
    ] {
        if let Some(Ok(v)) = text(n.get(arg))
            && !v.trim().is_empty()
        {
            let target = if limit { &mut limits } else { &mut requests };
            target.insert(key.into(), json!(v));
            lines
                .fields
                .entry("resources")
                .or_insert(n.get(arg).map_or(n.line, |a| a.line));
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return None;
    }
    let mut r = Map::new();
    if !requests.is_empty() {
        r.insert("requests".into(), Value::Object(requests));
    }
    if !limits.is_empty() {
        r.insert("limits".into(), Value::Object(limits));
    }
    Some(Value::Object(r))
}

/// A container from `containerTemplate(...)`.
fn container(n: &Node, index: usize) -> (Value, FieldLines) {
    let mut lines = FieldLines {
        line: n.line,
        fields: BTreeMap::new(),
        args: BTreeMap::new(),
    };
    for (field, arg) in [
        ("image", "image"),
        ("securityContext.privileged", "privileged"),
        // Strings of words: a fix rewrites the whole string.
        ("command", "command"),
        ("args", "args"),
    ] {
        if let Some(a) = n.get(arg)
            && matches!(a.value, GValue::Str(_) | GValue::Bool(_))
        {
            lines.args.insert(field, a.offset);
        }
    }
    let mut at = |field: &'static str, arg: &str| {
        if let Some(a) = n.get(arg) {
            lines.fields.insert(field, a.line);
        }
    };
    for (field, arg) in [
        ("name", "name"),
        ("image", "image"),
        ("command", "command"),
        ("args", "args"),
        ("tty", "ttyEnabled"),
        ("securityContext", "privileged"),
        ("env", "envVars"),
        ("workingDir", "workingDir"),
        ("livenessProbe", "livenessProbe"),
        ("ports", "ports"),
    ] {
        at(field, arg);
    }
    let mut c = Map::new();
    let mut env: Vec<Value> = Vec::new();
    let mut unknown = false;
    let name = match text(n.get("name")) {
        Some(Ok(s)) => s,
        _ => format!("unknown-{index}"),
    };
    c.insert("name".into(), json!(name));
    if let Some(Ok(image)) = text(n.get("image")) {
        c.insert("image".into(), json!(image));
    }
    for (field, arg) in [("command", "command"), ("args", "args")] {
        match text(n.get(arg)) {
            Some(Ok(s)) if !s.is_empty() => {
                c.insert(field.into(), json!(split_command_line(&s)));
            }
            Some(Err(_)) => {
                c.insert(field.into(), json!([format!("$({UNKNOWN_VAR})")]));
                unknown = true;
            }
            _ => {}
        }
    }
    if let Some(tty) = flag(n.get("ttyEnabled")) {
        c.insert("tty".into(), json!(tty));
    }
    let privileged = flag(n.get("privileged")).unwrap_or(false);
    let run_as = |arg: &str| {
        text(n.get(arg))
            .and_then(Result::ok)
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    let (user, group) = (run_as("runAsUser"), run_as("runAsGroup"));
    if privileged || user.is_some() || group.is_some() {
        let mut sc = Map::new();
        sc.insert("privileged".into(), json!(privileged));
        if let Some(u) = user {
            sc.insert("runAsUser".into(), json!(u));
        }
        if let Some(g) = group {
            sc.insert("runAsGroup".into(), json!(g));
        }
        c.insert("securityContext".into(), Value::Object(sc));
    }
    if let Some(list) = n.get("envVars") {
        env.extend(list.items().into_iter().filter_map(env_var));
    }
    if unknown {
        env.push(unknown_env());
    }
    if !env.is_empty() {
        c.insert("env".into(), Value::Array(env));
    }
    if let Some(r) = resources(n, &mut lines) {
        c.insert("resources".into(), r);
    }
    let working_dir = match text(n.get("workingDir")) {
        Some(Ok(w)) if !w.is_empty() => w,
        _ => DEFAULT_WORKING_DIR.to_string(),
    };
    c.insert("workingDir".into(), json!(working_dir));
    if flag(n.get("alwaysPullImage")) == Some(true) {
        c.insert("imagePullPolicy".into(), json!("Always"));
    }
    let ports: Vec<Value> = n
        .get("ports")
        .map(|p| p.items())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.call_name() == Some("portMapping"))
        .filter_map(|p| {
            let port = text(p.get("containerPort"))?.ok()?.parse::<i64>().ok()?;
            let mut v = json!({"containerPort": port});
            if let Some(Ok(name)) = text(p.get("name")) {
                v["name"] = json!(name);
            }
            Some(v)
        })
        .collect();
    if !ports.is_empty() {
        c.insert("ports".into(), Value::Array(ports));
    }
    if let Some(p) = n.get("livenessProbe")
        && let Some(Ok(exec)) = text(p.get("execArgs"))
    {
        let mut probe = json!({"exec": {"command": split_command_line(&exec)}});
        for k in [
            "initialDelaySeconds",
            "timeoutSeconds",
            "failureThreshold",
            "periodSeconds",
            "successThreshold",
        ] {
            if let Some(Ok(v)) = text(p.get(k))
                && let Ok(i) = v.parse::<i64>()
            {
                probe[k] = json!(i);
            }
        }
        c.insert("livenessProbe".into(), probe);
    }
    (Value::Object(c), lines)
}

/// A pod-level volume: `(volume without name, mount path)`.
fn volume(n: &Node) -> Option<(Value, String, bool)> {
    let mount = text(n.get("mountPath"))?.ok()?;
    let s = |k: &str| text(n.get(k)).and_then(Result::ok).unwrap_or_default();
    let read_only = flag(n.get("readOnly")).unwrap_or(false);
    let v = match n.call_name()? {
        "emptyDirVolume" => {
            if flag(n.get("memory")) == Some(true) {
                json!({"emptyDir": {"medium": "Memory"}})
            } else {
                json!({"emptyDir": {}})
            }
        }
        "hostPathVolume" => json!({"hostPath": {"path": s("hostPath")}}),
        "secretVolume" => json!({"secret": {"secretName": s("secretName")}}),
        "configMapVolume" => json!({"configMap": {"name": s("configMapName")}}),
        "persistentVolumeClaim" => {
            json!({"persistentVolumeClaim": {"claimName": s("claimName"), "readOnly": read_only}})
        }
        "nfsVolume" => json!({"nfs": {"server": s("serverAddress"), "path": s("serverPath"), "readOnly": read_only}}),
        "genericEphemeralVolume" => json!({"emptyDir": {}}),
        _ => return None,
    };
    Some((v, mount, read_only))
}

/// The pod template a `podTemplate(...)` call, a declarative `kubernetes { ... }` block or a JCasC
/// template mapping describes; `end` is where its text ends.
pub(crate) fn template_pod(n: &Node, end: usize) -> TemplatePod {
    let mut containers = Vec::new();
    let mut add = |c: &Node| {
        if c.call_name() == Some("containerTemplate") {
            let i = containers.len();
            containers.push(container(c, i));
        }
    };
    if let Some(list) = n.get("containers") {
        list.items().into_iter().for_each(&mut add);
    }
    if let Some(list) = n.get("containerTemplates") {
        list.items().into_iter().for_each(&mut add);
    }
    if let GValue::Call { positional, .. } = &n.value {
        positional.iter().for_each(&mut add);
    }
    let volumes = n
        .get("volumes")
        .map(|v| v.items())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| volume(v).map(|(vol, mount, _)| (vol, mount, v.line)))
        .collect();
    let env = n
        .get("envVars")
        .map(|v| v.items())
        .unwrap_or_default()
        .into_iter()
        .filter_map(env_var)
        .collect();
    let yaml_offset = n
        .get("yaml")
        .filter(|y| !matches!(y.value, GValue::Unknown(_)))
        .map(|y| y.offset);
    TemplatePod {
        line: n.line,
        span: (n.offset, end),
        containers,
        volumes,
        env,
        yaml_offset,
    }
}

fn nested<'n>(n: &'n Node, out: &mut Vec<&'n Node>) {
    if let GValue::Call { positional, .. } = &n.value {
        for p in positional {
            if matches!(p.call_name(), Some("podTemplate" | "kubernetes")) {
                out.push(p);
            }
            nested(p, out);
        }
    }
}

/// Every `podTemplate(...)` call and declarative `kubernetes { ... }` block of a Groovy text's
/// tokens (`end` is the text's length), nested ones included.
pub(crate) fn pod_templates(toks: &[Token], end: usize, vars: &BTreeMap<String, String>) -> Vec<TemplatePod> {
    let top = calls_in(toks, &["podTemplate", "kubernetes"], vars);
    let mut all: Vec<&Node> = Vec::new();
    for t in &top {
        all.push(t);
        nested(t, &mut all);
    }
    let mut out: Vec<TemplatePod> = all.iter().map(|n| template_pod(n, n.offset)).collect();
    // A call's span runs to the next call's start (or the end of the text): what lies between
    // belongs to it.
    let mut starts: Vec<usize> = out.iter().map(|t| t.span.0).collect();
    starts.sort_unstable();
    for t in &mut out {
        let next = starts.iter().copied().find(|s| *s > t.span.0).unwrap_or(end);
        t.span.1 = next;
    }
    out
}

/// Every container template's pod, combined with `yaml` (the fragment's pod value) when given, with
/// the plugin's agent defaults ([`super::agent`]). Returns the pod value and, per container index,
/// where it came from: `Some(lines)` for a container template (or the agent the plugin adds),
/// `None` for the fragment's own.
pub(crate) fn build_pod(t: &TemplatePod, yaml: Option<&Value>) -> (Value, Vec<Option<FieldLines>>) {
    let mut pod = yaml.cloned().unwrap_or_else(|| json!({"spec": {"containers": []}}));
    if !pod.get("spec").is_some_and(Value::is_object) {
        pod["spec"] = json!({});
    }
    let spec = &mut pod["spec"];
    let mut containers: Vec<Value> = spec
        .get("containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut origin: Vec<Option<FieldLines>> = vec![None; containers.len()];
    let mut volumes: Vec<Value> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // The template's volumes, `volume-0`, ... (one per mount path), and the workspace volume;
    // combined with the fragment's by name, the template's winning.
    let mut own_volumes = Vec::new();
    let mut mounts = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (v, mount, _) in &t.volumes {
        if seen.insert(mount.clone()) {
            let name = format!("volume-{}", own_volumes.len());
            let mut v = v.clone();
            v["name"] = json!(name);
            own_volumes.push(v);
            mounts.push(json!({"name": name, "mountPath": mount}));
        }
    }
    own_volumes.push(json!({"name": WORKSPACE_VOLUME, "emptyDir": {}}));
    for v in own_volumes {
        match volumes.iter().position(|p| p.get("name") == v.get("name")) {
            Some(i) => volumes[i] = v,
            None => volumes.push(v),
        }
    }
    for (c, lines) in &t.containers {
        let mut c = c.clone();
        let wd = c
            .get("workingDir")
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_WORKING_DIR)
            .to_string();
        let mut own = mounts.clone();
        if !own.iter().any(|m| m["mountPath"] == json!(wd)) {
            own.push(json!({"name": WORKSPACE_VOLUME, "mountPath": wd}));
        }
        c["volumeMounts"] = Value::Array(own);
        if !t.env.is_empty() {
            let mut env = t.env.clone();
            env.extend(c.get("env").and_then(Value::as_array).cloned().unwrap_or_default());
            c["env"] = Value::Array(env);
        }
        match containers.iter().position(|p| p.get("name") == c.get("name")) {
            Some(i) => {
                containers[i] = combine(&containers[i], &c);
                origin[i] = Some(lines.clone());
            }
            None => {
                containers.push(c);
                origin.push(Some(lines.clone()));
            }
        }
    }
    if !containers
        .iter()
        .any(|c| c.get("name").and_then(Value::as_str) == Some(super::agent::AGENT_CONTAINER))
    {
        containers.push(super::agent::added_agent(&mounts));
        origin.push(Some(FieldLines {
            line: t.line,
            fields: BTreeMap::new(),
            args: BTreeMap::new(),
        }));
    }
    spec["containers"] = Value::Array(containers);
    spec["volumes"] = Value::Array(volumes);
    super::agent::apply(&mut pod);
    (pod, origin)
}

/// `PodTemplateUtils.combine(parent, template)` for one container.
fn combine(parent: &Value, template: &Value) -> Value {
    let mut out = parent.clone();
    let nonempty = |v: &Value| match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    };
    for k in ["image", "imagePullPolicy", "command", "workingDir", "args", "tty"] {
        if let Some(v) = template.get(k).filter(|v| nonempty(v)) {
            out[k] = v.clone();
        }
    }
    for (k, key) in [("env", "name"), ("volumeMounts", "mountPath")] {
        let mut merged: Vec<Value> = parent.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
        for e in template.get(k).and_then(Value::as_array).into_iter().flatten() {
            merged.retain(|m| m.get(key) != e.get(key));
            merged.push(e.clone());
        }
        if !merged.is_empty() {
            out[k] = Value::Array(merged);
        }
    }
    for part in ["requests", "limits"] {
        if let Some(t) = template
            .pointer(&format!("/resources/{part}"))
            .and_then(Value::as_object)
        {
            if !out.get("resources").is_some_and(Value::is_object) {
                out["resources"] = json!({});
            }
            let r = &mut out["resources"];
            if !r.get(part).is_some_and(Value::is_object) {
                r[part] = json!({});
            }
            for (k, v) in t {
                r[part][k] = v.clone();
            }
        }
    }
    // The parent's security context, with `privileged`, `runAsUser`, `runAsGroup` and
    // `capabilities` resolved (the template's when it sets them); the template's other
    // security fields are not carried over.
    let tsc = template.get("securityContext").and_then(Value::as_object);
    let psc = parent.get("securityContext").and_then(Value::as_object);
    if tsc.is_some() || psc.is_some() {
        let pick = |k: &str| {
            tsc.and_then(|t| t.get(k))
                .filter(|v| !v.is_null())
                .or_else(|| psc.and_then(|p| p.get(k)).filter(|v| !v.is_null()))
                .cloned()
        };
        let resolved: Vec<(&str, Option<Value>)> = vec![
            ("privileged", pick("privileged")),
            ("runAsUser", pick("runAsUser")),
            ("runAsGroup", pick("runAsGroup")),
            ("capabilities", pick("capabilities")),
        ];
        let set = resolved[0].1.as_ref().and_then(Value::as_bool) == Some(true)
            || resolved[1..].iter().any(|(_, v)| v.is_some());
        if set {
            let mut sc = psc.cloned().unwrap_or_default();
            for (k, v) in resolved {
                match v {
                    Some(v) => {
                        sc.insert(k.into(), v);
                    }
                    None => {
                        sc.remove(k);
                    }
                }
            }
            out["securityContext"] = Value::Object(sc);
        }
    }
    out
}

/// The names of a pod value's `spec.containers`, in order.
pub(crate) fn container_names(pod: &Value) -> Vec<Option<String>> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Containers combined by name (`PodTemplateUtils.combineContainers`): the parent's in order,
/// each combined with the child's of its name, then the child's new ones.
fn combine_containers(parent: Option<&Value>, child: Option<&Value>) -> Option<Value> {
    let (p, c) = (
        parent.and_then(Value::as_array).cloned().unwrap_or_default(),
        child.and_then(Value::as_array).cloned().unwrap_or_default(),
    );
    if parent.is_none() && child.is_none() {
        return None;
    }
    let mut out = p;
    for c in c {
        match out.iter().position(|o| o.get("name") == c.get("name")) {
            Some(i) => out[i] = combine(&out[i], &c),
            None => out.push(c),
        }
    }
    Some(Value::Array(out))
}

/// `PodTemplateUtils.combine(Pod parent, Pod template)`, for the `merge()` strategy: the parent's
/// spec with the child's containers, init containers and volumes combined by name, tolerations
/// and image pull secrets added, the child's scheduling fields winning when set, labels and
/// annotations merged. The child's other pod fields are not carried over, as in the plugin.
pub(crate) fn combine_pods(parent: &Value, child: &Value) -> Value {
    let mut out = parent.clone();
    if !out.get("spec").is_some_and(Value::is_object) {
        out["spec"] = json!({});
    }
    let (ps, cs) = (parent.get("spec"), child.get("spec"));
    fn get<'v>(s: Option<&'v Value>, k: &str) -> Option<&'v Value> {
        s.and_then(|s| s.get(k)).filter(|v| !v.is_null())
    }
    for k in ["containers", "initContainers"] {
        if let Some(v) = combine_containers(get(ps, k), get(cs, k)) {
            out["spec"][k] = v;
        }
    }
    if let Some(vols) = get(cs, "volumes").and_then(Value::as_array) {
        let mut merged = get(ps, "volumes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for v in vols {
            match merged.iter().position(|m| m.get("name") == v.get("name")) {
                Some(i) => merged[i] = v.clone(),
                None => merged.push(v.clone()),
            }
        }
        out["spec"]["volumes"] = Value::Array(merged);
    }
    for k in ["tolerations", "imagePullSecrets"] {
        if let Some(more) = get(cs, k).and_then(Value::as_array) {
            let mut all = get(ps, k).and_then(Value::as_array).cloned().unwrap_or_default();
            all.extend(more.iter().cloned());
            out["spec"][k] = Value::Array(all);
        }
    }
    for k in [
        "serviceAccount",
        "serviceAccountName",
        "schedulerName",
        "activeDeadlineSeconds",
        "hostNetwork",
        "shareProcessNamespace",
    ] {
        if let Some(v) = get(cs, k) {
            out["spec"][k] = v.clone();
        }
    }
    if let Some(sel) = get(cs, "nodeSelector").and_then(Value::as_object) {
        let mut merged = get(ps, "nodeSelector")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        merged.extend(sel.clone());
        out["spec"]["nodeSelector"] = Value::Object(merged);
    }
    for k in ["runAsUser", "runAsGroup"] {
        if let Some(v) = child
            .pointer(&format!("/spec/securityContext/{k}"))
            .filter(|v| !v.is_null())
        {
            if !out["spec"].get("securityContext").is_some_and(Value::is_object) {
                out["spec"]["securityContext"] = json!({});
            }
            out["spec"]["securityContext"][k] = v.clone();
        }
    }
    for k in ["labels", "annotations"] {
        if let Some(m) = child.pointer(&format!("/metadata/{k}")).and_then(Value::as_object) {
            let mut merged = parent
                .pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merged.extend(m.clone());
            if !out.get("metadata").is_some_and(Value::is_object) {
                out["metadata"] = json!({});
            }
            out["metadata"][k] = Value::Object(merged);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_as_ant_splits_them() {
        assert_eq!(split_command_line("sleep 99d"), ["sleep", "99d"]);
        assert_eq!(
            split_command_line("sh -c 'until docker info; do sleep 1; done'"),
            ["sh", "-c", "until docker info; do sleep 1; done"]
        );
        assert_eq!(split_command_line("a  \"\" b"), ["a", "", "b"]);
        assert_eq!(split_command_line("cat"), ["cat"]);
    }

    #[test]
    fn the_plugin_s_own_dind_example_builds_its_pod() {
        let text = "podTemplate(containers: [\n  containerTemplate(name: 'docker', image: 'docker:19.03.1', command: 'sleep', args: '99d',\n    envVars: [envVar(key: 'DOCKER_HOST', value: 'tcp://localhost:2375')]),\n  containerTemplate(name: 'docker-daemon', image: 'docker:19.03.1-dind', privileged: true,\n    envVars: [envVar(key: 'DOCKER_TLS_CERTDIR', value: '')])\n], volumes: [emptyDirVolume(mountPath: '/var/lib/docker', memory: false)]) { node(POD_LABEL) { } }";
        let t = &pod_templates(
            &super::super::groovy_calls::tokens(text).unwrap(),
            text.len(),
            &BTreeMap::new(),
        )[0];
        let (pod, origin) = build_pod(t, None);
        let c = &pod["spec"]["containers"];
        assert_eq!(c[0]["command"], json!(["sleep"]));
        assert_eq!(c[0]["args"], json!(["99d"]));
        assert_eq!(c[1]["securityContext"]["privileged"], json!(true));
        assert_eq!(
            c[1]["volumeMounts"][0],
            json!({"name": "volume-0", "mountPath": "/var/lib/docker"})
        );
        assert_eq!(
            c[1]["volumeMounts"][1],
            json!({"name": "workspace-volume", "mountPath": "/home/jenkins/agent"})
        );
        assert_eq!(c[2]["name"], "jnlp");
        assert_eq!(origin[1].as_ref().unwrap().line, 4);
        assert_eq!(origin[1].as_ref().unwrap().fields["securityContext"], 4);
    }

    #[test]
    fn a_template_overrides_the_yaml_container_of_its_name() {
        let text = "podTemplate(yaml: y, containers: [containerTemplate(name: 'dind', image: 'docker:29.7.2-dind', envVars: [envVar(key: 'A', value: '2')])])";
        let t = &pod_templates(
            &super::super::groovy_calls::tokens(text).unwrap(),
            text.len(),
            &BTreeMap::new(),
        )[0];
        let yaml = json!({"spec": {"containers": [{"name": "dind", "image": "docker:dind", "securityContext": {"privileged": true},
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "b"}]}]}});
        let (pod, origin) = build_pod(t, Some(&yaml));
        let c = &pod["spec"]["containers"][0];
        assert_eq!(c["image"], "docker:29.7.2-dind");
        assert_eq!(c["securityContext"]["privileged"], json!(true));
        assert_eq!(
            c["env"],
            json!([{"name": "B", "value": "b"}, {"name": "A", "value": "2"}])
        );
        assert!(origin[0].is_some());
    }

    #[test]
    fn unknown_values_are_unknown_not_guessed() {
        let text = "podTemplate(containers: [containerTemplate(name: 'd', image: 'docker:29.7.2-dind', args: \"${ARGS}\", envVars: [envVar(key: 'DOCKER_TLS_CERTDIR', value: \"${dir}\")])])";
        let t = &pod_templates(
            &super::super::groovy_calls::tokens(text).unwrap(),
            text.len(),
            &BTreeMap::new(),
        )[0];
        let (pod, _) = build_pod(t, None);
        let c = &pod["spec"]["containers"][0];
        assert_eq!(c["args"], json!(["$(DIND_GROOVY_EXPRESSION)"]));
        assert!(c["env"][0].get("valueFrom").is_some());
    }
}
