//! Output checked against JSON Schemas with the venv's `jsonschema`: `dind lint --format sarif` is
//! valid SARIF 2.1.0, and every example settings file is valid under `dind schema`.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> PathBuf {
    let venv = std::env::var_os("DIND_ORACLE_VENV").map_or_else(|| root().join(".venv"), PathBuf::from);
    let bin = venv.join("bin/python");
    assert!(
        bin.exists(),
        "oracle `{}` is missing: run ./scripts/test.sh",
        bin.display()
    );
    bin
}

/// The schema is installed by scripts/test.sh from the npm registry (`@microsoft/jest-sarif`,
/// pinned), and checked with the venv's `jsonschema`.
#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let schema = std::env::var_os("DIND_SARIF_SCHEMA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root().join(".oracles/sarif-2.1.0.json"));
    assert!(
        schema.exists(),
        "the SARIF schema `{}` is missing: run ./scripts/test.sh",
        schema.display()
    );
    let dir = root().join("tests/fixtures").display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dind"))
        .args(["lint", "--format", "sarif", &dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the fixtures hold the seed's errors");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "DIND002"));
    assert!(
        results
            .iter()
            .all(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() >= Some(1))
    );
    // A `dind: ignore` comment keeps its finding in the log, marked as suppressed in the source.
    let suppressed: Vec<_> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert!(
        suppressed
            .iter()
            .any(|r| r["ruleId"] == "DIND009" && r["suppressions"][0]["kind"] == "inSource"),
        "{suppressed:?}"
    );
    let valid = validate(&schema, &out.stdout);
    assert!(valid.is_ok(), "SARIF invalid: {}", valid.unwrap_err());
    // The validator can fail: a result without a message is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(validate(&schema, &serde_json::to_vec(&broken).unwrap()).is_err());
}

/// Checks a SARIF log against the schema with the venv's `jsonschema`; the error is its message.
fn validate(schema: &std::path::Path, log: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\nlog=json.load(sys.stdin)\njsonschema.validators.validator_for(schema)(schema).validate(log)";
    let mut child = std::process::Command::new(python())
        .args(["-c", script])
        .arg(schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(log).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `dind schema` (the render settings) and `dind schema lint` (dind.toml) accept every example
/// settings file and a full dind.toml, and refuse an unknown key, a value outside an enum and a
/// port out of range.
#[test]
fn every_example_settings_file_is_valid_under_dind_schema() {
    let dir = std::env::temp_dir().join(format!("dind-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema_of = |kind: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dind"))
            .args(["schema", kind])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let path = dir.join(format!("{kind}.schema.json"));
        std::fs::write(&path, &out.stdout).unwrap();
        path
    };
    let (settings, lint) = (schema_of("settings"), schema_of("lint"));
    let as_json = |toml_text: &str| -> Vec<u8> {
        let v: toml::Value = toml::from_str(toml_text).unwrap();
        serde_json::to_vec(&v).unwrap()
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("examples/config")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let valid = validate(&settings, &as_json(&text));
        assert!(valid.is_ok(), "{}: {}", path.display(), valid.unwrap_err());
        checked += 1;
    }
    assert!(checked >= 11, "{checked}");
    let dind_toml = "[lint]\nkube_version = \"1.30\"\nselect = [\"ALL\"]\nignore = [\"DIND021\"]\nwarn = [\"DIND006\"]\nerror = [\"DIND009\"]\nexclude = [\"vendor/**\"]\n[lint.per_path_ignores]\n\"legacy/**\" = [\"DIND00\"]\n";
    assert!(validate(&lint, &as_json(dind_toml)).is_ok());
    // Negative controls: the schemas can fail.
    for bad in [
        "transprot = \"tcp\"",
        "transport = \"udp\"",
        "port = 70000",
        "engine = \"kaniko\"",
    ] {
        assert!(validate(&settings, &as_json(bad)).is_err(), "{bad}");
    }
    assert!(validate(&lint, &as_json("[lint]\nselct = []\n")).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
