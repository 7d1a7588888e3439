//! `lint` on the files teams keep: one fixture per shape (workloads, Argo, Tekton, runner-set
//! values, Jenkins container templates, a shared-library step, unrelated YAML), each clean as
//! written and each with a near miss that a rule must catch at the right path and line; a
//! property that no skipped kind or unknown field ever yields an error. (The SARIF output is
//! checked against its schema in dind-cli/tests/sarif.rs.)

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use dind::Severity;
use dind::lint::{FileReport, lint_file};
use dind::rules::Context;
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/real/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn lint(name: &str, text: &str) -> FileReport {
    lint_file(name, text, &Context::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The findings as `(code, line, path)`.
fn found(r: &FileReport) -> Vec<(String, usize, String)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.diagnostic.code.map_or("input".into(), |c| c.to_string()),
                f.line,
                f.diagnostic.path.clone(),
            )
        })
        .collect()
}

/// The error-level findings of a report: code, line and path.
fn errors(r: &FileReport) -> Vec<(String, usize, String)> {
    r.findings
        .iter()
        .filter(|f| f.diagnostic.severity == Severity::Error)
        .map(|f| {
            (
                f.diagnostic.code.map_or("input".into(), |c| c.to_string()),
                f.line,
                f.diagnostic.path.clone(),
            )
        })
        .collect()
}

#[track_caller]
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the near miss must change the fixture: `{from}` not found"
    );
    let edited = text.replacen(from, to, 1);
    assert_ne!(
        edited, text,
        "the near miss must change the fixture: `{from}` is replaced by itself"
    );
    edited
}

#[track_caller]
fn assert_finds(r: &FileReport, code: &str, line: usize, path: &str) {
    let f = found(r);
    assert!(
        f.iter().any(|(c, l, p)| c == code && *l == line && p == path),
        "expected {code} at line {line}, `{path}`; found {f:#?}"
    );
}

#[test]
fn every_shape_as_written_is_clean_and_every_pod_is_found() {
    for (name, pods, skipped) in [
        ("deployment.yaml", 1, 2),
        ("cronjob.yaml", 1, 0),
        ("argo-workflow.yaml", 1, 0),
        ("tekton-task.yaml", 1, 0),
        ("runner-values.yaml", 1, 0),
        ("Jenkinsfile.containers", 1, 0),
        ("build-image.groovy", 1, 0),
        ("buildkit.yaml", 2, 0),
        ("unrelated.yaml", 0, 3),
    ] {
        let r = lint(name, &fixture(name));
        assert!(r.findings.is_empty(), "{name}: {:#?}", found(&r));
        assert_eq!((r.pods.len(), r.skipped.len()), (pods, skipped), "{name}");
    }
}

#[test]
fn workloads_keep_their_paths_and_lines() {
    let text = fixture("deployment.yaml");
    let r = lint(
        "deployment.yaml",
        &edit(&text, "        securityContext:\n          privileged: true\n", ""),
    );
    assert_finds(
        &r,
        "DIND007",
        28,
        "spec.template.spec.containers[1].securityContext.privileged",
    );
    let r = lint(
        "deployment.yaml",
        // A liveness probe does not hold anything back: nothing waits for the daemon.
        &edit(&text, "        readinessProbe:\n", "        livenessProbe:\n"),
    );
    assert_finds(&r, "DIND010", 28, "spec.template.spec.containers[1]");
}

#[test]
fn a_job_client_may_exit_but_a_deployment_client_may_not() {
    let text = fixture("cronjob.yaml");
    assert!(lint("cronjob.yaml", &text).findings.is_empty());
    let docs = dind::yaml::read_documents(&text, dind::yaml::Limits::default()).unwrap();
    let template = docs[0]
        .value
        .pointer("/spec/jobTemplate/spec/template")
        .unwrap()
        .clone();
    let deployment =
        serde_json::to_string(&serde_json::json!({"kind": "Deployment", "spec": {"template": template}})).unwrap();
    let r = lint("deployment.yaml", &deployment);
    assert!(
        found(&r)
            .iter()
            .any(|(c, _, p)| c == "DIND017" && p == "spec.template.spec.containers[0].command"),
        "{:#?}",
        found(&r)
    );
    let r = lint(
        "cronjob.yaml",
        &edit(&text, "            startupProbe:", "            livenessProbe:"),
    );
    assert_finds(
        &r,
        "DIND010",
        14,
        "spec.jobTemplate.spec.template.spec.initContainers[0]",
    );
}

#[test]
fn argo_waits_for_no_sidecar() {
    let text = fixture("argo-workflow.yaml");
    let no_loop = edit(&text, "until docker info >/dev/null 2>&1; do sleep 1; done; ", "");
    let r = lint("argo-workflow.yaml", &no_loop);
    assert_finds(&r, "DIND010", 26, "spec.templates[1].sidecars[0]");
    // A readiness probe on the sidecar holds nothing back in Argo.
    let probed = edit(
        &no_loop,
        "      volumeMounts:\n      - {name: data",
        "      readinessProbe: {exec: {command: [docker, info]}, periodSeconds: 1}\n      volumeMounts:\n      - {name: data",
    );
    assert!(
        found(&lint("argo-workflow.yaml", &probed))
            .iter()
            .any(|(c, ..)| c == "DIND010")
    );
    let r = lint(
        "argo-workflow.yaml",
        &edit(&text, "value: tcp://127.0.0.1:2375", "value: tcp://127.0.0.1:2376"),
    );
    assert_finds(&r, "DIND004", 24, "spec.templates[1].container.env[0].value");
}

#[test]
fn tekton_steps_wait_for_ready_sidecars() {
    let text = fixture("tekton-task.yaml");
    let r = lint(
        "tekton-task.yaml",
        &edit(
            &text,
            "    readinessProbe:\n      periodSeconds: 1\n      exec:\n        command: [ls, /certs/client/ca.pem]\n",
            "",
        ),
    );
    assert_finds(&r, "DIND010", 23, "spec.sidecars[0]");
    let r = lint(
        "tekton-task.yaml",
        &edit(&text, "    - name: DOCKER_TLS_VERIFY\n      value: \"1\"\n", ""),
    );
    assert!(
        found(&r)
            .iter()
            .any(|(c, _, p)| c == "DIND005" && p.starts_with("spec.steps[0]")),
        "{:#?}",
        found(&r)
    );
}

#[test]
fn runner_values_lint_the_template() {
    let text = fixture("runner-values.yaml");
    let r = lint(
        "values.yaml",
        &edit(&text, "      securityContext:\n        privileged: true\n", ""),
    );
    assert_finds(
        &r,
        "DIND007",
        9,
        "template.spec.initContainers[0].securityContext.privileged",
    );
}

#[test]
fn container_templates_are_read_with_the_plugin_s_semantics() {
    let text = fixture("Jenkinsfile.containers");
    // The CLI image of 19.03 (a bare version tag) running `sleep` is a client: no DIND001/007.
    let r = lint("Jenkinsfile", &edit(&text, "privileged: true,", ""));
    assert_eq!(
        found(&r).iter().filter(|(c, ..)| c == "DIND007").count(),
        1,
        "{:#?}",
        found(&r)
    );
    assert_finds(&r, "DIND007", 5, "spec.containers[1].securityContext.privileged");
    let r = lint(
        "Jenkinsfile",
        &edit(&text, "            sh 'until docker info; do sleep 1; done'\n", ""),
    );
    assert_finds(&r, "DIND010", 5, "spec.containers[1]");
    // The pod volume is mounted into the daemon: without it, DIND008.
    let r = lint(
        "Jenkinsfile",
        &edit(&text, "emptyDirVolume(mountPath: '/var/lib/docker', memory: false)", ""),
    );
    assert!(found(&r).iter().any(|(c, ..)| c == "DIND008"), "{:#?}", found(&r));
}

#[test]
fn shared_library_steps_and_jackson_typing() {
    let text = fixture("build-image.groovy");
    let r = lint(
        "vars/buildImage.groovy",
        &edit(&text, "    securityContext: {privileged: true}\n", ""),
    );
    assert_finds(&r, "DIND007", 17, "spec.containers[1].securityContext.privileged");
    // `value: 1` is the string "1" to Jenkins and an error to kubectl: a warning, and the
    // analysis goes on.
    let typed = edit(
        &text,
        "    command: [sleep, infinity]\n",
        "    command: [sleep, infinity]\n    args: [99d, 1]\n",
    );
    let r = lint("vars/buildImage.groovy", &typed);
    assert_finds(&r, "DIND026", 13, "spec.containers[0].args[1]");
    assert!(r.findings.iter().all(|f| f.diagnostic.severity == Severity::Warning));
    // Every step runs in `defaultContainer`: one the pod does not have fails them all.
    let r = lint(
        "vars/buildImage.groovy",
        &edit(&text, "defaultContainer 'docker'", "defaultContainer 'docker-cli'"),
    );
    assert_eq!(found(&r).len(), 1, "{:#?}", found(&r));
    assert_finds(&r, "DIND042", 6, "");
    let r = lint(
        "vars/buildImage.groovy",
        &edit(&text, "defaultContainer 'docker'", "defaultContainer 'dind'"),
    );
    assert!(r.findings.is_empty(), "{:#?}", found(&r));
    // A stage on another agent (a label of Jenkins' own templates): the steps may run in a pod
    // dind does not see, so it says nothing.
    let elsewhere = edit(
        &edit(&text, "defaultContainer 'docker'", "defaultContainer 'docker-cli'"),
        "stage('build') {",
        "stage('build') { agent { label 'linux' }",
    );
    assert!(lint("vars/buildImage.groovy", &elsewhere).findings.is_empty());
}

#[test]
fn unrelated_yaml_is_skipped_and_a_pod_beside_it_is_found() {
    let text = fixture("unrelated.yaml");
    let with_pod =
        format!("{text}---\nkind: Pod\nspec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n");
    let r = lint("unrelated.yaml", &with_pod);
    assert_eq!(r.pods.len(), 1);
    assert!(found(&r).iter().any(|(c, ..)| c == "DIND007"));
}

fn skipped_kind() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "ConfigMap",
        "Secret",
        "Service",
        "Ingress",
        "Namespace",
        "Role",
        "Kustomization",
        "HelmRelease",
        "Application",
        "EventSource",
        "Pipeline",
        "RunnerDeployment",
        "CustomResourceDefinition",
        "Pod",
        "Deployment",
    ])
    .prop_map(String::from)
}

fn junk_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i32>().prop_map(serde_json::Value::from),
        "[a-z0-9:/._-]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A document of a kind that holds no pod, with any content, is skipped: never an error.
    #[test]
    fn skipped_kinds_never_yield_an_error(kind in skipped_kind(), spec in junk_value()) {
        let doc = serde_json::json!({"apiVersion": "example.com/v1", "kind": kind, "spec": spec});
        let yaml = serde_json::to_string(&doc).unwrap();
        let r = lint_file("x.yaml", &yaml, &Context::default()).unwrap();
        // Only a document that really holds a pod is read; a Pod or Deployment with a spec that
        // is not one is skipped or a coded input problem, never a rule error.
        for f in &r.findings {
            prop_assert!(f.diagnostic.code.is_none() || f.diagnostic.severity != Severity::Error || r.pods.is_empty(),
                "{kind}: {f:?}");
        }
        if !matches!(kind.as_str(), "Pod" | "Deployment") {
            prop_assert!(r.findings.is_empty(), "{kind}: {:?}", r.findings);
        }
    }

    /// A field Kubernetes does not have, anywhere in a clean pod, is one DIND043 at that key,
    /// and changes nothing else; outside the pod template, dind says nothing.
    #[test]
    fn unknown_fields_are_one_finding_at_their_key(key in "x[A-Za-z]{1,8}", value in junk_value(), at in 0..4usize) {
        let text = fixture("deployment.yaml");
        let docs = dind::yaml::read_documents(&text, dind::yaml::Limits::default()).unwrap();
        let mut d = docs[1].value.clone();
        let target = match at {
            0 => &mut d,
            1 => &mut d["spec"]["template"]["spec"],
            2 => &mut d["spec"]["template"]["spec"]["containers"][1],
            _ => &mut d["spec"]["template"]["spec"]["containers"][1]["securityContext"],
        };
        target[key.as_str()] = value;
        let r = lint_file("x.yaml", &serde_json::to_string(&d).unwrap(), &Context::default()).unwrap();
        let found: Vec<(String, String)> = r
            .findings
            .iter()
            .map(|f| (f.diagnostic.code.map_or("input".into(), |c| c.to_string()), f.diagnostic.path.clone()))
            .collect();
        let expected: Vec<(String, String)> = match at {
            0 => Vec::new(),
            1 => vec![("DIND043".into(), format!("spec.template.spec.{key}"))],
            2 => vec![("DIND043".into(), format!("spec.template.spec.containers[1].{key}"))],
            _ => vec![("DIND043".into(), format!("spec.template.spec.containers[1].securityContext.{key}"))],
        };
        prop_assert_eq!(found, expected);
    }
}

/// A `docker:latest` container that runs `cat` is a client, not a second daemon; a client's
/// readiness probe that waits for the daemon's socket is the wait (no DIND010).
#[test]
fn clients_in_the_dind_image_and_probes_that_wait() {
    let pod = |client: &str| {
        format!(
            "kind: Pod\nspec:\n  containers:\n  - name: dind\n    image: docker:29.7.2-dind\n    args: [dockerd, --host=unix:///run/dind/docker.sock]\n    securityContext: {{privileged: true}}\n    resources: {{requests: {{memory: 2Gi}}}}\n    volumeMounts: [{{name: s, mountPath: /run/dind}}, {{name: d, mountPath: /var/lib/docker}}]\n{client}  volumes: [{{name: s, emptyDir: {{}}}}, {{name: d, emptyDir: {{}}}}]\n"
        )
    };
    let client = "  - name: docker\n    image: docker:latest\n    command: [cat]\n    tty: true\n    env: [{name: DOCKER_HOST, value: unix:///run/dind/docker.sock}]\n    volumeMounts: [{name: s, mountPath: /run/dind}]\n";
    let r = lint("pod.yaml", &pod(client));
    let codes: Vec<String> = found(&r).into_iter().map(|(c, ..)| c).collect();
    assert!(!codes.iter().any(|c| c == "DIND001" || c == "DIND007"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "DIND010"), "{codes:?}");
    let probed = client.replace(
        "    volumeMounts: [{name: s",
        "    readinessProbe: {exec: {command: [test, -S, /run/dind/docker.sock]}, periodSeconds: 1}\n    volumeMounts: [{name: s",
    );
    let r = lint("pod.yaml", &pod(&probed));
    assert!(!found(&r).iter().any(|(c, ..)| c == "DIND010"), "{:#?}", found(&r));
    // Nothing uses the daemon: nothing can race it.
    let r = lint("pod.yaml", &pod(""));
    assert!(!found(&r).iter().any(|(c, ..)| c == "DIND010"), "{:#?}", found(&r));
}

/// Rootless BuildKit as teams run it (a shared Deployment over TCP with TLS, an agent pod with a
/// socket): clean as written; each near miss is caught at its own path and line.
#[test]
fn buildkit_pods_keep_their_paths_and_lines() {
    let text = fixture("buildkit.yaml");
    // (what the fixture says, the near miss, the code, its line and path)
    let cases = [
        (
            "            - --oci-worker-no-process-sandbox\n",
            "",
            "DIND031",
            22,
            "spec.template.spec.containers[0].args",
        ),
        (
            "          value: unix:///run/buildkit/buildkitd.sock",
            "          value: unix:///run/user/1000/buildkit/buildkitd.sock",
            "DIND032",
            83,
            "spec.containers[1].env[0].value",
        ),
        (
            "          valueFrom:\n            secretKeyRef: {name: registry, key: password}",
            "          value: hunter2",
            "DIND034",
            85,
            "spec.containers[1].env[1].value",
        ),
        (
            "      image: moby/buildkit:v0.31.2-rootless\n      command: [cat]",
            "      image: moby/buildkit:rootless\n      command: [cat]",
            "DIND033",
            78,
            "spec.containers[1].image",
        ),
        // AppArmor from the annotation is reported at the annotation.
        (
            "    container.apparmor.security.beta.kubernetes.io/buildkitd: unconfined\nspec:\n  restartPolicy",
            "    container.apparmor.security.beta.kubernetes.io/buildkitd: runtime/default\nspec:\n  restartPolicy",
            "DIND031",
            63,
            "metadata.annotations.container.apparmor.security.beta.kubernetes.io/buildkitd",
        ),
    ];
    for (from, to, code, line, path) in cases {
        assert_finds(&lint("buildkit.yaml", &edit(&text, from, to)), code, line, path);
    }
}

/// A repository of fixture files, for the Groovy files that name pod files.
struct Fixtures(&'static str);

impl dind::lint::Repository for Fixtures {
    fn lookup(&self, _: &str, r: &dind::lint::FileRef) -> dind::lint::Lookup {
        let path = format!(
            "{}/tests/fixtures/real/{}/{}",
            env!("CARGO_MANIFEST_DIR"),
            self.0,
            r.path
        );
        match std::fs::read_to_string(&path) {
            Ok(text) => dind::lint::Lookup::Found(text),
            Err(_) => dind::lint::Lookup::Missing(path),
        }
    }
}

#[test]
fn jenkins_shapes_as_written_are_clean_and_every_pod_is_found() {
    for (name, as_name, pods) in [
        ("jenkins-values.yaml", "values.yaml", 3),
        ("jcasc-containers.yaml", "casc.yaml", 2),
        ("Jenkinsfile.podyaml", "Jenkinsfile", 1),
        ("library/vars/dindAgent.groovy", "vars/dindAgent.groovy", 1),
    ] {
        let r = lint(as_name, &fixture(name));
        assert!(r.findings.is_empty(), "{name}: {:#?}", found(&r));
        assert!(r.unknown.is_empty(), "{name}: {:#?}", r.unknown);
        assert_eq!(r.pods.len(), pods, "{name}: {:#?}", r.pods);
    }
}

#[test]
fn jenkins_shapes_find_near_misses_at_the_value_s_own_line() {
    let values = fixture("jenkins-values.yaml");
    let cases = [
        // The default agent's additional container.
        (
            "      privileged: true\n      resources:",
            "      resources:",
            "DIND007",
            52,
        ),
        ("        tag: 29.7.2-dind", "        tag: dind", "DIND009", 55),
        (
            "    - type: EmptyDir\n      mountPath: /var/lib/docker\n",
            "",
            "DIND008",
            50,
        ),
        // Inside the JCasC script's block string.
        ("                    privileged: true\n", "", "DIND007", 17),
        // Inside `yamlTemplate`: the probe the template leaves to it.
        (
            "            periodSeconds: 1\n            failureThreshold: 120\n  additionalAgents",
            "            periodSeconds: 10\n            failureThreshold: 120\n  additionalAgents",
            "DIND024",
            66,
        ),
    ];
    for (from, to, code, line) in cases {
        let r = lint("values.yaml", &edit(&values, from, to));
        assert!(
            found(&r).iter().any(|(c, l, _)| c == code && *l == line),
            "{code} at {line}: {:#?}",
            found(&r)
        );
    }
    // The same values under Flux's HelmRelease `spec.values`.
    let release = format!(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: jenkins}}\nspec:\n  values:\n{}",
        edit(&values, "        tag: 29.7.2-dind", "        tag: dind")
            .lines()
            .filter(|l| !l.starts_with('#') && *l != "jenkins:")
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
    let r = lint("release.yaml", &release);
    assert!(
        found(&r).iter().any(|(c, l, _)| c == "DIND009" && *l == 57),
        "{:#?}",
        found(&r)
    );

    let casc = fixture("jcasc-containers.yaml");
    for (from, to, code, line) in [
        ("          privileged: true\n", "", "DIND007", 10),
        (
            "              value: unix:///run/dind/docker.sock",
            "              value: tcp://localhost:2375",
            "DIND004",
            38,
        ),
        (
            "        - emptyDirVolume:\n            mountPath: /var/lib/docker\n",
            "",
            "DIND008",
            10,
        ),
    ] {
        let r = lint("casc.yaml", &edit(&casc, from, to));
        assert!(
            found(&r).iter().any(|(c, l, _)| c == code && *l == line),
            "{code} at {line}: {:#?}",
            found(&r)
        );
    }

    let groovy = fixture("Jenkinsfile.podyaml");
    let r = lint("Jenkinsfile", &edit(&groovy, "          privileged: true\n", ""));
    assert_finds(&r, "DIND007", 19, "spec.containers[1].securityContext.privileged");
    let r = lint(
        "Jenkinsfile",
        &edit(
            &groovy,
            "          value: unix:///run/dind/docker.sock",
            "          value: tcp://localhost:2375",
        ),
    );
    assert_finds(&r, "DIND004", 13, "spec.containers[0].env[0].value");

    let field = fixture("library/vars/dindAgent.groovy");
    let r = lint(
        "vars/dindAgent.groovy",
        &edit(&field, "    image: docker:29.7.2-dind", "    image: docker:dind"),
    );
    assert_finds(&r, "DIND009", 17, "spec.containers[1].image");
}

#[test]
fn pod_files_are_read_as_the_agents_of_the_groovy_that_names_them() {
    let ctx = Context::default();
    let jenkinsfile = fixture("repo/Jenkinsfile");
    let r = dind::lint::lint_file_in("repo/Jenkinsfile", &jenkinsfile, &ctx, &Fixtures("repo")).unwrap();
    assert!(r.findings.is_empty(), "{:#?}", found(&r));
    assert!(r.skipped[0].reason.contains("ci/pod.yaml"), "{:#?}", r.skipped);
    // The file, as the agent's pod: clean, and a near miss at its own line.
    let users = [dind::lint::AgentUse::new("repo/Jenkinsfile", 5, &jenkinsfile)];
    let pod = fixture("repo/ci/pod.yaml");
    let r = dind::lint::lint_agent_pod(&pod, &ctx, &users).unwrap();
    assert!(r.findings.is_empty(), "{:#?}", found(&r));
    assert!(r.pods[0].label.contains("agent of repo/Jenkinsfile:5"));
    let r = dind::lint::lint_agent_pod(
        &edit(&pod, "    securityContext: {privileged: true}\n", ""),
        &ctx,
        &users,
    )
    .unwrap();
    assert_finds(&r, "DIND007", 11, "spec.containers[1].securityContext.privileged");
    // A missing file is DIND035 at the step's line.
    let missing = edit(&jenkinsfile, "ci/pod.yaml", "ci/nope.yaml");
    let r = dind::lint::lint_file_in("repo/Jenkinsfile", &missing, &ctx, &Fixtures("repo")).unwrap();
    assert_finds(&r, "DIND035", 5, "");
    // A library step's resource.
    let step = fixture("library/vars/kanikoAgent.groovy");
    let r = dind::lint::lint_file_in("vars/kanikoAgent.groovy", &step, &ctx, &Fixtures("library/resources")).unwrap();
    assert!(
        r.findings.is_empty() && r.skipped[0].reason.contains("podtemplates/dind.yaml"),
        "{r:#?}"
    );
}

/// Pods that neither run nor use Docker are out of scope: found, marked `dind: false`, and given
/// no findings (no names, no tags, no credentials). The near misses bring one into scope: a mounted
/// node socket directory, a `DOCKER_HOST`, a `docker` command.
#[test]
fn pods_without_docker_are_out_of_scope_until_they_use_it() {
    let text = fixture("no-docker.yaml");
    let r = lint("no-docker.yaml", &text);
    assert!(r.findings.is_empty(), "{:#?}", found(&r));
    assert_eq!(r.pods.len(), 3);
    assert!(r.pods.iter().all(|p| !p.dind), "{:#?}", r.pods);

    // The node's /var/run, mounted: docker-outside-of-docker, at the volume's path.
    let mounted = edit(
        &text,
        "    command: [sleep, infinity]\n",
        "    command: [sleep, infinity]\n    volumeMounts:\n    - {name: node-run, mountPath: /host/run}\n",
    );
    let r = lint("no-docker.yaml", &mounted);
    assert_finds(&r, "DIND019", 55, "spec.volumes[0].hostPath.path");
    assert!(r.pods[2].dind);
    // A client of some daemon: in scope, and its floating tag is a finding.
    let client = edit(
        &text,
        "    tty: true\n",
        "    tty: true\n    env:\n    - {name: DOCKER_HOST, value: tcp://docker:2376}\n",
    );
    let r = lint("no-docker.yaml", &client);
    assert!(r.pods[1].dind);
    // A step that runs `docker` in an app image.
    let runs = edit(
        &text,
        "    command: [sleep, infinity]\n",
        "    command: [sh, -c, 'docker ps']\n",
    );
    assert!(lint("no-docker.yaml", &runs).pods[2].dind);
    // An agent image named for dind, which dind does not know: in scope.
    let agent = edit(
        &text,
        "gcr.io/kaniko-project/executor:debug",
        "ghcr.io/example/jenkins-agent-dind:1.0",
    );
    assert!(lint("no-docker.yaml", &agent).pods[1].dind);
    // Not the web Deployment: its names and credentials stay out of scope.
    assert!(!lint("no-docker.yaml", &runs).pods[0].dind);
}

/// The expert rules on a Jenkins agent pod: clean as written, and each near miss found at its
/// own line, as the one error it is.
#[test]
fn expert_rules_find_near_misses_of_a_jenkins_agent() {
    let text = fixture("Jenkinsfile.expert");
    let r = lint("Jenkinsfile", &text);
    assert!(r.findings.is_empty(), "{:#?}", found(&r));
    let errors = |r: &FileReport| {
        errors(r)
            .into_iter()
            .map(|(code, line, _)| (code, line))
            .collect::<Vec<_>>()
    };
    let cases = [
        // The agent replaced by `cat`.
        (
            "    image: jenkins/inbound-agent:3309.v27b_9314fd1a_4-1\n",
            "    image: jenkins/inbound-agent:3309.v27b_9314fd1a_4-1\n    command: [cat]\n    tty: true\n",
            "DIND037",
            10,
        ),
        // The node's Docker state as the data root.
        (
            "  - {name: docker-data, emptyDir: {}}",
            "  - {name: docker-data, hostPath: {path: /var/lib/docker}}",
            "DIND038",
            33,
        ),
        // The client written as `docker` (the dind image now) with no command: one DIND007 at
        // its image, not a second daemon's findings.
        (
            "    image: docker:29.7.2-cli\n    command: [sleep, 99d]\n",
            "    image: docker\n",
            "DIND007",
            11,
        ),
        // Certificates named by hand, which the entrypoint then does not generate.
        (
            "    args: [dockerd, --host=unix:///run/dind/docker.sock]\n",
            "    args: [dockerd, --host=unix:///run/dind/docker.sock, --tlsverify, --tlscert=/certs/server/cert.pem, --tlskey=/certs/server/key.pem]\n",
            "DIND041",
            19,
        ),
        // A step in a container the pod does not have.
        (
            "    container('docker') {",
            "    container('docker-cli') {",
            "DIND042",
            36,
        ),
    ];
    for (from, to, code, line) in cases {
        let r = lint("Jenkinsfile", &edit(&text, from, to));
        assert_eq!(errors(&r), [(code.to_string(), line)], "{code}: {:#?}", found(&r));
    }
    // The agent's own container, and a pod that inherits containers dind cannot see: silent.
    for (from, to) in [
        ("    container('docker') {", "    container('jnlp') {"),
        ("podTemplate(yaml: '''", "podTemplate(inheritFrom: 'base', yaml: '''"),
        ("  node(POD_LABEL) {", "  node('shared-agents') {"),
    ] {
        let mut near = edit(&text, from, to);
        if !to.contains("jnlp") {
            near = edit(&near, "    container('docker') {", "    container('docker-cli') {");
        }
        let r = lint("Jenkinsfile", &near);
        assert!(
            !r.findings
                .iter()
                .any(|f| f.diagnostic.code.is_some_and(|c| c.as_str() == "DIND042")),
            "{to}: {:#?}",
            found(&r)
        );
    }
    // Warnings: the socket opened to everyone, a privileged client.
    let chmod = edit(
        &text,
        "    command: [sleep, 99d]\n",
        "    command: [sh, -c, 'chmod 666 /run/dind/docker.sock; sleep 99d']\n",
    );
    assert_finds(
        &lint("Jenkinsfile", &chmod),
        "DIND039",
        12,
        "spec.containers[1].command",
    );
    let privileged = edit(
        &text,
        "    command: [sleep, 99d]\n",
        "    command: [sleep, 99d]\n    securityContext: {privileged: true}\n",
    );
    assert_finds(
        &lint("Jenkinsfile", &privileged),
        "DIND040",
        13,
        "spec.containers[1].securityContext.privileged",
    );
}

/// Keys where Kubernetes reads them, and a client that mounts only the certificates' `client`
/// directory (`subPath`): clean as written. Each near miss is one error at its own line.
#[test]
fn field_placement_and_sub_path_mounts() {
    let text = fixture("field-placement.yaml");
    let r = lint("agent-pod.yaml", &text);
    assert!(r.findings.is_empty(), "{:#?}", found(&r));
    let cases = [
        // A misspelt `securityContext`: the daemon is unprivileged, one finding says why.
        (
            "    securityContext:\n      privileged: true\n",
            "    ecurityContext:\n      privileged: true\n",
            "DIND043",
            30,
            "spec.containers[1].ecurityContext",
        ),
        // `privileged` beside `securityContext`.
        (
            "    securityContext:\n      privileged: true\n",
            "    privileged: true\n",
            "DIND043",
            30,
            "spec.containers[1].privileged",
        ),
        // `requests` beside `resources`.
        (
            "    resources:\n      requests:\n        cpu: 500m\n        memory: 2Gi\n",
            "    requests:\n      cpu: 500m\n      memory: 2Gi\n",
            "DIND043",
            32,
            "spec.containers[1].requests",
        ),
        // The client mounts the server's certificates instead of its own.
        (
            "subPath: client",
            "subPath: server",
            "DIND005",
            16,
            "spec.containers[0].env",
        ),
    ];
    for (from, to, code, line, path) in cases {
        let r = lint("agent-pod.yaml", &edit(&text, from, to));
        assert_eq!(
            errors(&r),
            [(code.to_string(), line, path.to_string())],
            "{code}: {:#?}",
            found(&r)
        );
    }
    let typo = lint(
        "agent-pod.yaml",
        &edit(
            &text,
            "    securityContext:\n      privileged: true\n",
            "    ecurityContext:\n      privileged: true\n",
        ),
    );
    assert!(
        typo.findings[0]
            .diagnostic
            .message
            .contains("did you mean `securityContext`?"),
        "{:#?}",
        found(&typo)
    );
}

/// A helm-unittest suite holds a test's inputs (`set`) and expectations (`asserts`): skipped with
/// that reason, even when its values would make a broken agent.
#[test]
fn helm_unittest_suites_are_skipped_with_the_reason() {
    let suite = "suite: agent templates\ntemplates:\n  - jcasc-config.yaml\ntests:\n  - it: renders a privileged-less dind agent\n    set:\n      agent:\n        podName: dind\n        image: {repository: docker, tag: dind}\n        privileged: false\n    asserts:\n      - matchRegex: {path: data.x, pattern: dind}\n";
    let r = lint("charts/jenkins/unittests/agent-test.yaml", suite);
    assert!(r.findings.is_empty() && r.pods.is_empty(), "{:#?}", found(&r));
    assert!(r.skipped[0].reason.contains("helm-unittest suite"), "{:?}", r.skipped);
    // The near miss: the same values as a values file are a chart's agent.
    let values = "agent:\n  podName: dind\n  image: {repository: docker, tag: dind}\n  privileged: false\n";
    assert!(!lint("values.yaml", values).pods.is_empty());
}
