//! Jenkins output: scripted `podTemplate`, declarative `agent { kubernetes }` and a JCasC pod
//! template. The renderers take a built pod and options; they never re-decide dind semantics.

use crate::config::JenkinsSettings;
use crate::groovy::{LITERAL_LIMIT, modified_utf8_len, single_quoted, triple_single_quoted};
use crate::{Code, Diagnostic, Diagnostics, JenkinsPod};

/// The template's pod retention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PodRetention {
    /// Delete the pod (`never()`).
    Never,
    /// Keep it (`always()`).
    Always,
    /// Keep it when the build fails (`onFailure()`).
    OnFailure,
}

impl PodRetention {
    fn symbol(self) -> &'static str {
        match self {
            PodRetention::Never => "never",
            PodRetention::Always => "always",
            PodRetention::OnFailure => "onFailure",
        }
    }
}

/// How Jenkins combines this YAML with an inherited template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergeStrategy {
    /// `override()` (the plugin's default).
    Override,
    /// `merge()`: containers and volumes merged by name.
    Merge,
}

/// Options of the Jenkins formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JenkinsOptions {
    /// Shell steps; empty (the default) runs the engine's own check ([`JenkinsPod::steps`]).
    pub steps: Vec<String>,
    /// `cloud`.
    pub cloud: Option<String>,
    /// `namespace`.
    pub namespace: Option<String>,
    /// `serviceAccount`.
    pub service_account: Option<String>,
    /// `idleMinutes`.
    pub idle_minutes: Option<u32>,
    /// `activeDeadlineSeconds` (default 3600: an orphaned agent pod cannot linger).
    pub active_deadline_seconds: Option<u32>,
    /// `podRetention`.
    pub pod_retention: Option<PodRetention>,
    /// `showRawYaml`.
    pub show_raw_yaml: Option<bool>,
    /// `yamlMergeStrategy`.
    pub yaml_merge_strategy: Option<MergeStrategy>,
    /// `inheritFrom`.
    pub inherit_from: Option<String>,
    /// JCasC template name.
    pub name: String,
    /// JCasC template label.
    pub label: String,
}

impl Default for JenkinsOptions {
    fn default() -> Self {
        JenkinsOptions {
            steps: Vec::new(),
            cloud: None,
            namespace: None,
            service_account: None,
            idle_minutes: None,
            active_deadline_seconds: Some(3600),
            pod_retention: None,
            show_raw_yaml: None,
            yaml_merge_strategy: None,
            inherit_from: None,
            name: "dind".into(),
            label: "dind".into(),
        }
    }
}

impl JenkinsOptions {
    /// Options from the `[jenkins]` settings table, checked.
    pub fn from_settings(s: &JenkinsSettings) -> Result<JenkinsOptions, Diagnostics> {
        let mut o = JenkinsOptions::default();
        let mut errors = Vec::new();
        if let Some(steps) = &s.steps {
            if steps.iter().any(|st| st.trim().is_empty()) {
                errors.push(Diagnostic::input("jenkins.steps", "a step is empty"));
            }
            o.steps = steps.clone();
        }
        o.pod_retention = match s.pod_retention.as_deref() {
            None => None,
            Some("never") => Some(PodRetention::Never),
            Some("always") => Some(PodRetention::Always),
            Some("on-failure") => Some(PodRetention::OnFailure),
            // The cloud's own setting: the same as not giving one.
            Some("default") => None,
            Some(other) => {
                errors.push(Diagnostic::input(
                    "jenkins.pod_retention",
                    format!("unknown pod retention `{other}` (expected never, always, on-failure or default)"),
                ));
                None
            }
        };
        o.yaml_merge_strategy = match s.yaml_merge_strategy.as_deref() {
            None => None,
            Some("override") => Some(MergeStrategy::Override),
            Some("merge") => Some(MergeStrategy::Merge),
            Some(other) => {
                errors.push(Diagnostic::input(
                    "jenkins.yaml_merge_strategy",
                    format!("unknown merge strategy `{other}` (expected override or merge)"),
                ));
                None
            }
        };
        for (key, value) in [
            ("jenkins.name", &s.name),
            ("jenkins.label", &s.label),
            ("jenkins.cloud", &s.cloud),
            ("jenkins.inherit_from", &s.inherit_from),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| v.trim().is_empty() || v.contains(['\n', '\r']))
            {
                errors.push(Diagnostic::input(key, "must be a non-empty single line"));
            }
        }
        if let Some(ns) = &s.namespace
            && !crate::syntax::is_dns_label(ns)
        {
            errors.push(Diagnostic::input(
                "jenkins.namespace",
                format!("`{ns}` is not a valid namespace"),
            ));
        }
        if s.active_deadline_seconds == Some(0) {
            errors.push(Diagnostic::input("jenkins.active_deadline_seconds", "must be positive"));
        }
        o.cloud = s.cloud.clone();
        o.namespace = s.namespace.clone();
        o.service_account = s.service_account.clone();
        o.idle_minutes = s.idle_minutes;
        o.active_deadline_seconds = s.active_deadline_seconds.or(o.active_deadline_seconds);
        o.show_raw_yaml = s.show_raw_yaml;
        o.inherit_from = s.inherit_from.clone();
        if let Some(n) = &s.name {
            o.name = n.clone();
        }
        if let Some(l) = &s.label {
            o.label = l.clone();
        }
        if errors.is_empty() {
            Ok(o)
        } else {
            Err(Diagnostics::new(errors))
        }
    }
}

fn check_limit(yaml: &str) -> Result<(), Diagnostics> {
    let len = modified_utf8_len(yaml);
    if len > LITERAL_LIMIT {
        return Err(Diagnostics::new(vec![Diagnostic::rule(
            Code::Dind023,
            "yaml",
            format!(
                "the pod YAML takes {len} bytes as a Groovy string constant; Groovy compiles at most {LITERAL_LIMIT}"
            ),
        )]));
    }
    Ok(())
}

/// A Groovy `'...'` literal of an option, or an input error at `path`.
fn lit(text: &str, path: &str) -> Result<String, Diagnostics> {
    single_quoted(text).map_err(|e| Diagnostics::new(vec![Diagnostic::input(path, e)]))
}

/// `(key, groovy value)` pairs of the template options, in a stable order.
fn options(o: &JenkinsOptions) -> Result<Vec<(&'static str, String)>, Diagnostics> {
    let call = |s: &str| format!("{s}()");
    let mut v = Vec::new();
    if let Some(c) = &o.cloud {
        v.push(("cloud", lit(c, "jenkins.cloud")?));
    }
    if let Some(n) = &o.namespace {
        v.push(("namespace", lit(n, "jenkins.namespace")?));
    }
    if let Some(s) = &o.service_account {
        v.push(("serviceAccount", lit(s, "jenkins.service_account")?));
    }
    if let Some(i) = &o.inherit_from {
        v.push(("inheritFrom", lit(i, "jenkins.inherit_from")?));
    }
    if let Some(m) = o.idle_minutes {
        v.push(("idleMinutes", m.to_string()));
    }
    if let Some(s) = o.active_deadline_seconds {
        v.push(("activeDeadlineSeconds", s.to_string()));
    }
    if let Some(r) = o.pod_retention {
        v.push(("podRetention", call(r.symbol())));
    }
    if let Some(b) = o.show_raw_yaml {
        v.push(("showRawYaml", b.to_string()));
    }
    if let Some(m) = o.yaml_merge_strategy {
        v.push((
            "yamlMergeStrategy",
            call(if m == MergeStrategy::Merge { "merge" } else { "override" }),
        ));
    }
    Ok(v)
}

fn steps(steps: &[String], indent: &str) -> Result<String, Diagnostics> {
    let mut out = String::new();
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!("{indent}sh {}\n", lit(s, &format!("jenkins.steps[{i}]"))?));
    }
    Ok(out)
}

/// The pod YAML as a `'''...'''` literal, within the class-file limit. (Our YAML never holds
/// U+FFFF raw: the emitter escapes noncharacters.)
fn yaml_literal(yaml: &str) -> Result<String, Diagnostics> {
    check_limit(yaml)?;
    triple_single_quoted(yaml).map_err(|e| Diagnostics::new(vec![Diagnostic::input("yaml", e)]))
}

impl JenkinsPod {
    /// A scripted pipeline: `podTemplate(yaml: '''...''') { node(POD_LABEL) { container(...) { sh ... } } }`.
    pub fn scripted(&self, o: &JenkinsOptions) -> Result<String, Diagnostics> {
        let yaml = yaml_literal(&self.to_yaml())?;
        let mut out = String::from(
            "// Generated by dind. The pod YAML is a Groovy '''...''' literal: \\ and ' are escaped.\npodTemplate(\n",
        );
        out.push_str(&format!("    yaml: {yaml},\n"));
        for (k, v) in options(o)? {
            out.push_str(&format!("    {k}: {v},\n"));
        }
        out.truncate(out.len() - 2);
        out.push_str("\n) {\n    node(POD_LABEL) {\n");
        out.push_str(&format!(
            "        container({}) {{\n",
            lit(self.steps_container(), "clients")?
        ));
        out.push_str(&steps(&self.steps(o), "            ")?);
        out.push_str("        }\n    }\n}\n");
        Ok(out)
    }

    /// A declarative pipeline with `agent { kubernetes { yaml '''...''' ... } }`.
    pub fn declarative(&self, o: &JenkinsOptions) -> Result<String, Diagnostics> {
        let yaml = yaml_literal(&self.to_yaml())?;
        let mut out = String::from(
            "// Generated by dind. The pod YAML is a Groovy '''...''' literal: \\ and ' are escaped.\npipeline {\n    agent {\n        kubernetes {\n",
        );
        out.push_str(&format!("            yaml {yaml}\n"));
        out.push_str(&format!(
            "            defaultContainer {}\n",
            lit(self.steps_container(), "clients")?
        ));
        for (k, v) in options(o)? {
            out.push_str(&format!("            {k} {v}\n"));
        }
        out.push_str("        }\n    }\n    stages {\n        stage('Build') {\n            steps {\n");
        out.push_str(&steps(&self.steps(o), "                ")?);
        out.push_str("            }\n        }\n    }\n}\n");
        Ok(out)
    }

    /// A JCasC `jenkins.clouds[].kubernetes.templates[]` entry, complete enough to merge into an
    /// existing file. Every `${` of the pod YAML is written `^${`.
    pub fn jcasc(&self, o: &JenkinsOptions) -> Result<String, Diagnostics> {
        let yaml = self.to_yaml();
        let cloud = o.cloud.clone().unwrap_or_else(|| "kubernetes".into());
        let q = |s: &str| {
            let mut v = String::new();
            crate::yaml::to_yaml(&serde_json::Value::String(s.to_string()))
                .trim_end()
                .clone_into(&mut v);
            v
        };
        let mut out = String::from(
            "# Generated by dind: a pod template for the Jenkins Kubernetes plugin (JCasC).\n# JCasC expands ${...}; a literal ${ is written ^${.\njenkins:\n  clouds:\n  - kubernetes:\n",
        );
        out.push_str(&format!("      name: {}\n      templates:\n", q(&cloud)));
        out.push_str(&format!(
            "      - name: {}\n        label: {}\n",
            q(&o.name),
            q(&o.label)
        ));
        if let Some(n) = &o.namespace {
            out.push_str(&format!("        namespace: {}\n", q(n)));
        }
        if let Some(s) = &o.service_account {
            out.push_str(&format!("        serviceAccount: {}\n", q(s)));
        }
        if let Some(i) = &o.inherit_from {
            out.push_str(&format!("        inheritFrom: {}\n", q(i)));
        }
        if let Some(m) = o.idle_minutes {
            out.push_str(&format!("        idleMinutes: {m}\n"));
        }
        if let Some(s) = o.active_deadline_seconds {
            out.push_str(&format!("        activeDeadlineSeconds: {s}\n"));
        }
        if let Some(r) = o.pod_retention {
            out.push_str(&format!("        podRetention: {}\n", q(r.symbol())));
        }
        if let Some(b) = o.show_raw_yaml {
            out.push_str(&format!("        showRawYaml: {b}\n"));
        }
        if let Some(m) = o.yaml_merge_strategy {
            out.push_str(&format!(
                "        yamlMergeStrategy: {}\n",
                q(if m == MergeStrategy::Merge { "merge" } else { "override" })
            ));
        }
        out.push_str("        yaml: |\n");
        for line in yaml.replace("${", "^${").lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str("          ");
                out.push_str(line);
                out.push('\n');
            }
        }
        Ok(out)
    }
}
