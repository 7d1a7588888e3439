//! Scalars resolved as kubectl resolves them. `kubectl` turns YAML into JSON with
//! `sigs.k8s.io/yaml`, which decodes with go-yaml v2 (YAML 1.1 typing): `yes`/`on`/`y` are
//! booleans, `017` is octal, `08` and `1e3` are floats, `.inf` cannot become JSON, and base-60
//! numbers (`12:30`) are strings because go-yaml purposefully does not support them. Explicit
//! tags (`!!str 017`, `!!int "8"`) are honoured the same way.

use serde_json::{Number, Value};

/// The core schema tags (`tag:yaml.org,2002:NAME`) that change how a scalar resolves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CoreTag {
    Str,
    Int,
    Float,
    Bool,
    Null,
    Binary,
    Timestamp,
    Merge,
}

/// What a scalar's tag asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tagged {
    /// No tag.
    None,
    /// A core schema tag.
    Core(CoreTag),
    /// Any other tag (`!custom`, `!`, `!!map` on a scalar): the text is kept as a string.
    Other,
}

impl Tagged {
    /// Reads a tag from its handle and suffix as yaml-rust2 reports them.
    pub(crate) fn from_parts(handle: &str, suffix: &str) -> Tagged {
        let full = format!("{handle}{suffix}");
        let Some(name) = full.strip_prefix("tag:yaml.org,2002:") else {
            return Tagged::Other;
        };
        match name {
            "str" => Tagged::Core(CoreTag::Str),
            "int" => Tagged::Core(CoreTag::Int),
            "float" => Tagged::Core(CoreTag::Float),
            "bool" => Tagged::Core(CoreTag::Bool),
            "null" => Tagged::Core(CoreTag::Null),
            "binary" => Tagged::Core(CoreTag::Binary),
            "timestamp" => Tagged::Core(CoreTag::Timestamp),
            "merge" => Tagged::Core(CoreTag::Merge),
            _ => Tagged::Other,
        }
    }
}

/// The JSON value kubectl sends for a scalar, or why kubectl refuses it.
///
/// `plain` says whether the scalar was written without quotes; quoted scalars without a tag are
/// strings.
pub(crate) fn resolve(text: &str, plain: bool, tag: Tagged) -> Result<Value, String> {
    match tag {
        Tagged::Other | Tagged::Core(CoreTag::Str | CoreTag::Timestamp | CoreTag::Merge) => {
            Ok(Value::String(text.to_string()))
        }
        Tagged::Core(CoreTag::Binary) => binary(text),
        Tagged::None if !plain => Ok(Value::String(text.to_string())),
        Tagged::None => implicit(text),
        Tagged::Core(want) => {
            let got = implicit(text)?;
            let ok = match (want, &got) {
                (CoreTag::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
                (CoreTag::Float, Value::Number(_)) => true,
                (CoreTag::Bool, Value::Bool(_)) => true,
                (CoreTag::Null, Value::Null) => true,
                _ => false,
            };
            if ok {
                Ok(got)
            } else {
                Err(format!("cannot decode `{text}` as a !!{}", tag_name(want)))
            }
        }
    }
}

fn tag_name(t: CoreTag) -> &'static str {
    match t {
        CoreTag::Str => "str",
        CoreTag::Int => "int",
        CoreTag::Float => "float",
        CoreTag::Bool => "bool",
        CoreTag::Null => "null",
        CoreTag::Binary => "binary",
        CoreTag::Timestamp => "timestamp",
        CoreTag::Merge => "merge",
    }
}

fn binary(text: &str) -> Result<Value, String> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("`!!binary` value is not base64: {e}"))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// go-yaml v2's implicit resolution of a plain scalar (its `resolve` with no tag).
fn implicit(text: &str) -> Result<Value, String> {
    let Some(first) = text.bytes().next() else {
        return Ok(Value::Null);
    };
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false));
        }
        "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
        | "-.INF" => {
            return Err(format!(
                "`{text}` is a YAML float that JSON cannot hold; kubectl refuses it (quote it for a string)"
            ));
        }
        _ => {}
    }
    match first {
        b'.' => Ok(float_text(text).map_or_else(|| Value::String(text.to_string()), Value::Number)),
        b'0'..=b'9' | b'+' | b'-' => {
            let plain: String = text.chars().filter(|c| *c != '_').collect();
            if let Some(n) = go_parse_int(&plain) {
                return Ok(Value::Number(n));
            }
            if yaml_style_float(&plain)
                && let Some(n) = float_text(&plain)
            {
                return Ok(Value::Number(n));
            }
            Ok(Value::String(text.to_string()))
        }
        _ => Ok(Value::String(text.to_string())),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: an optional sign, then `0x`,
/// `0o`, `0b` or a leading `0` (octal) select the base.
fn go_parse_int(s: &str) -> Option<Number> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        let v = i128::try_from(magnitude).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(Number::from)
    } else if let Ok(v) = i64::try_from(magnitude) {
        Some(Number::from(v))
    } else if s.starts_with('+') {
        // ParseUint takes no sign: `+18446744073709551615` is not an integer to go-yaml.
        None
    } else {
        u64::try_from(magnitude).ok().map(Number::from)
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A float as the JSON number Go's encoder writes for it and a JSON reader reads back: Go writes
/// integral values below 1e21 as their shortest round-trip digits without a fraction (so
/// `-9223372036854775809` becomes `-9223372036854776000`), which reads back as an integer when it
/// fits 64 bits and as a float otherwise. Out-of-range values are not floats to
/// `strconv.ParseFloat`.
fn float_text(s: &str) -> Option<Number> {
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        // Rust's `Display` for f64 writes the same shortest digits, padded with zeros.
        let text = format!("{f}");
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::from(i));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(Number::from(u));
        }
    }
    Number::from_f64(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(s: &str) -> Value {
        resolve(s, true, Tagged::None).unwrap()
    }

    #[test]
    fn yaml_1_1_words_and_numbers_resolve_as_go_yaml_does() {
        for (text, want) in [
            ("yes", json!(true)),
            ("On", json!(true)),
            ("y", json!(true)),
            ("NO", json!(false)),
            ("off", json!(false)),
            ("~", json!(null)),
            ("", json!(null)),
            ("017", json!(15)),
            ("0o17", json!(15)),
            ("0x1F", json!(31)),
            ("-0b101", json!(-5)),
            ("1_000", json!(1000)),
            ("+1", json!(1)),
            ("08", json!(8)),
            ("1e3", json!(1000)),
            ("-.5", json!(-0.5)),
            ("1.5", json!(1.5)),
            ("18446744073709551615", json!(18_446_744_073_709_551_615u64)),
            // Not an int64: a float, which Go writes as -9223372036854776000 (not i64::MIN).
            ("-9223372036854775809", json!(-9_223_372_036_854_776_000.0_f64)),
            ("18446744073709551616", json!(18_446_744_073_709_552_000.0_f64)),
            ("12:30", json!("12:30")),
            ("190:20:30", json!("190:20:30")),
            ("99d", json!("99d")),
            ("2001-12-14", json!("2001-12-14")),
            ("1e400", json!("1e400")),
            ("<<", json!("<<")),
            ("tRUE", json!("tRUE")),
            ("0x", json!("0x")),
        ] {
            assert_eq!(plain(text), want, "{text}");
        }
    }

    #[test]
    fn quotes_and_tags_decide_before_the_text() {
        assert_eq!(resolve("017", false, Tagged::None).unwrap(), json!("017"));
        assert_eq!(resolve("017", true, Tagged::Core(CoreTag::Str)).unwrap(), json!("017"));
        assert_eq!(resolve("8", false, Tagged::Core(CoreTag::Int)).unwrap(), json!(8));
        assert_eq!(resolve("yes", false, Tagged::Core(CoreTag::Bool)).unwrap(), json!(true));
        assert_eq!(
            resolve("aGk=", true, Tagged::Core(CoreTag::Binary)).unwrap(),
            json!("hi")
        );
        assert_eq!(resolve("017", true, Tagged::Other).unwrap(), json!("017"));
        assert!(
            resolve("abc", true, Tagged::Core(CoreTag::Int))
                .unwrap_err()
                .contains("!!int")
        );
        assert!(resolve(".inf", true, Tagged::None).is_err());
    }

    #[test]
    fn tags_read_from_yaml_rust2_parts() {
        assert_eq!(
            Tagged::from_parts("tag:yaml.org,2002:", "str"),
            Tagged::Core(CoreTag::Str)
        );
        assert_eq!(Tagged::from_parts("!", "custom"), Tagged::Other);
    }
}
