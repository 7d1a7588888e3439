//! Reading a pod the way Jenkins does, and noting where kubectl would not.
//!
//! The Jenkins Kubernetes plugin reads pod YAML with fabric8's Jackson mapper, which turns a
//! scalar into the type the field wants: `value: true` becomes the string `"true"`, `args: [99d]`
//! stays text, `privileged: "true"` becomes the boolean. kubectl (Go's `encoding/json` over
//! go-yaml) refuses each of those with "cannot unmarshal ... into Go struct field". dind reads a
//! pod as Jackson does, so the analysis goes on, and records every such value so that a coded
//! warning (DIND026) can say what kubectl would reject.
//!
//! [`Lenient`] is a [`serde::Deserializer`] over a [`serde_json::Value`] that coerces only where a
//! field asks for a string, a boolean or an integer and the value is another scalar; every other
//! request is answered by the value as it is. Fields that take a number or a string (a quantity,
//! an int-or-string port) ask for "any" and are never coerced. One pass, linear in the value.

use std::cell::RefCell;
use std::fmt::Write as _;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A value that Jackson converts and kubectl refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Coercion {
    /// Where, as a field path of the value (`spec.containers[0].env[1].value`).
    pub path: String,
    /// What was written, as JSON (`true`, `8080`, `"yes"`).
    pub written: String,
    /// The type the field takes.
    pub wanted: &'static str,
}

/// Deserializes `T` from `value` with Jackson's scalar coercions; returns the coercions made.
#[cfg(test)]
pub(crate) fn from_value<T: de::DeserializeOwned>(value: &Value) -> Result<(T, Vec<Coercion>), String> {
    read(value, At::Root, &[])
}

/// Deserializes `T` from the value of the top-level field `key` (its paths start with `key.`),
/// with Jackson's scalar coercions; returns the coercions made. The strings at the paths
/// `unknown` (templated values) read as a neutral value (`false`, `0`) wherever the field takes a
/// boolean or a number, instead of failing.
pub(crate) fn from_value_at<T: de::DeserializeOwned>(
    value: &Value,
    key: &str,
    unknown: &[String],
) -> Result<(T, Vec<Coercion>), String> {
    let root = At::Root;
    read(value, At::Key(&root, key), unknown)
}

fn read<T: de::DeserializeOwned>(value: &Value, at: At<'_>, unknown: &[String]) -> Result<(T, Vec<Coercion>), String> {
    let cx = Cx {
        log: RefCell::new(Vec::new()),
        unknown,
    };
    let t = T::deserialize(Lenient { value, at, cx: &cx }).map_err(|e| e.0)?;
    Ok((t, cx.log.into_inner()))
}

/// What a read carries down: the coercions made, and the paths of unknown values.
struct Cx<'a> {
    log: RefCell<Vec<Coercion>>,
    unknown: &'a [String],
}

/// The error of a lenient read: the message, with the field path where it happened.
#[derive(Debug)]
pub(crate) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        Error(msg.to_string())
    }
}

/// Where a value sits: a chain of borrowed segments up to the root, so no path is built unless a
/// coercion or an error needs it.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn path(&self) -> String {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                At::Root => break,
                At::Key(parent, key) => {
                    segments.push((Some(*key), 0));
                    at = parent;
                }
                At::Index(parent, i) => {
                    segments.push((None, *i));
                    at = parent;
                }
            }
        }
        let mut out = String::new();
        for (key, index) in segments.into_iter().rev() {
            match key {
                Some(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                None => {
                    let _ = write!(out, "[{index}]");
                }
            }
        }
        out
    }
}

struct Lenient<'a, 'de> {
    value: &'de Value,
    at: At<'a>,
    cx: &'a Cx<'a>,
}

impl Lenient<'_, '_> {
    /// Whether this is a templated string (its path among the unknown ones).
    fn templated(&self) -> bool {
        !self.cx.unknown.is_empty() && self.value.is_string() && self.cx.unknown.contains(&self.at.path())
    }

    fn note(&self, wanted: &'static str) {
        self.cx.log.borrow_mut().push(Coercion {
            path: self.at.path(),
            written: self.value.to_string(),
            wanted,
        });
    }

    fn fail(&self, wanted: &str) -> Error {
        let found = match self.value {
            Value::Null => "null".to_string(),
            Value::Bool(b) => format!("the boolean `{b}`"),
            Value::Number(n) => format!("the number `{n}`"),
            Value::String(s) => format!("the string {:?}", truncate(s)),
            Value::Array(_) => "a list".to_string(),
            Value::Object(_) => "a mapping".to_string(),
        };
        let path = self.at.path();
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        Error(format!("expected {wanted}{at}, found {found}"))
    }

    fn integer(&self) -> Option<Number> {
        match self.value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.clone()),
            // Jackson reads an integral float (`1.0`) into an int field.
            Value::Number(n) => n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| {
                #[allow(clippy::cast_possible_truncation)]
                Number::from(f as i64)
            }),
            Value::String(s) => {
                let t = s.trim();
                t.parse::<i64>()
                    .map(Number::from)
                    .ok()
                    .or_else(|| t.parse::<u64>().map(Number::from).ok())
            }
            _ => None,
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

macro_rules! integer_methods {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                let Some(n) = self.integer() else {
                    if self.templated() {
                        return visitor.$visit(0);
                    }
                    return Err(self.fail("an integer"));
                };
                if !matches!(self.value, Value::Number(m) if m.is_i64() || m.is_u64()) {
                    self.note("an integer");
                }
                let v = n
                    .as_i64()
                    .and_then(|i| <$ty>::try_from(i).ok())
                    .or_else(|| n.as_u64().and_then(|u| <$ty>::try_from(u).ok()));
                match v {
                    Some(v) => visitor.$visit(v),
                    None => Err(Error(format!(
                        "the number `{n}` at `{}` is out of range for the field",
                        self.at.path()
                    ))),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Lenient<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq {
                items: items.iter().enumerate(),
                at: &self.at,
                cx: self.cx,
            }),
            Value::Object(map) => visitor.visit_map(Fields {
                entries: map.iter(),
                pending: None,
                at: &self.at,
                cx: self.cx,
            }),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Bool(b) => {
                self.note("a string");
                visitor.visit_string(b.to_string())
            }
            Value::Number(n) => {
                self.note("a string");
                visitor.visit_string(n.to_string())
            }
            _ => Err(self.fail("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            // Jackson's boolean coercion: the words, case-insensitively.
            Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                self.note("a boolean");
                visitor.visit_bool(s.eq_ignore_ascii_case("true"))
            }
            _ if self.templated() => visitor.visit_bool(false),
            _ => Err(self.fail("a boolean")),
        }
    }

    integer_methods! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Number(n) => visitor.visit_f64(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => {
                    self.note("a number");
                    visitor.visit_f64(f)
                }
                _ if self.templated() => visitor.visit_f64(0.0),
                _ => Err(self.fail("a number")),
            },
            _ => Err(self.fail("a number")),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(_) => self.deserialize_any(visitor),
            _ => Err(self.fail("a list")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(_) => self.deserialize_any(visitor),
            _ => Err(self.fail("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(self.fail("a string")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

struct Seq<'a, I> {
    items: I,
    at: &'a At<'a>,
    cx: &'a Cx<'a>,
}

impl<'de, I: Iterator<Item = (usize, &'de Value)>> SeqAccess<'de> for Seq<'_, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(Lenient {
            value,
            at: At::Index(self.at, i),
            cx: self.cx,
        })
        .map(Some)
    }
}

struct Fields<'a, 'de> {
    entries: serde_json::map::Iter<'de>,
    pending: Option<(&'de str, &'de Value)>,
    at: &'a At<'a>,
    cx: &'a Cx<'a>,
}

impl<'de> MapAccess<'de> for Fields<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key.as_str(), value));
        let key: de::value::BorrowedStrDeserializer<'de, Error> = de::value::BorrowedStrDeserializer::new(key);
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.pending.take() else {
            return Err(Error("a value was asked for before its key".into()));
        };
        seed.deserialize(Lenient {
            value,
            at: At::Key(self.at, key),
            cx: self.cx,
        })
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    use super::*;

    #[test]
    fn scalars_become_what_the_field_takes_and_each_is_noted() {
        let v = json!({"spec": {"containers": [{
            "name": "build",
            "args": ["sleep", 99],
            "tty": "true",
            "env": [{"name": "DEBUG", "value": true}, {"name": "N", "value": 3}],
            "ports": [{"containerPort": "2376"}],
            "resources": {"limits": {"memory": 1, "cpu": "500m"}},
            "startupProbe": {"tcpSocket": {"port": 2376}, "periodSeconds": 1}
        }]}});
        let (pod, coerced): (Pod, _) = from_value(&v).unwrap();
        let c = &pod.spec.as_ref().unwrap().containers[0];
        assert_eq!(c.args.as_deref(), Some(&["sleep".to_string(), "99".to_string()][..]));
        assert_eq!(c.tty, Some(true));
        assert_eq!(c.env.as_ref().unwrap()[0].value.as_deref(), Some("true"));
        assert_eq!(c.ports.as_ref().unwrap()[0].container_port, 2376);
        let mut paths: Vec<&str> = coerced.iter().map(|c| c.path.as_str()).collect();
        paths.sort_unstable();
        // A quantity and an int-or-string take numbers as they are: kubectl accepts them.
        assert_eq!(
            paths,
            [
                "spec.containers[0].args[1]",
                "spec.containers[0].env[0].value",
                "spec.containers[0].env[1].value",
                "spec.containers[0].ports[0].containerPort",
                "spec.containers[0].tty",
            ]
        );
        let args = coerced.iter().find(|c| c.path.ends_with("args[1]")).unwrap();
        assert_eq!(args.written, "99");
        assert_eq!(args.wanted, "a string");
    }

    #[test]
    fn what_jackson_refuses_is_an_error_with_its_path() {
        let v = json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": "http"}]}]}});
        let err = from_value::<Pod>(&v).unwrap_err();
        assert_eq!(
            err,
            "expected an integer at `spec.containers[0].ports[0].containerPort`, found the string \"http\""
        );
        let v = json!({"spec": {"containers": {"name": "a"}}});
        let err = from_value::<Pod>(&v).unwrap_err();
        assert!(err.contains("expected a list at `spec.containers`"), "{err}");
        let v = json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 3_000_000_000u64}]}]}});
        let err = from_value::<Pod>(&v).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn a_clean_pod_reads_as_strictly_as_serde_json_reads_it() {
        let v = json!({"metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"containers": [{"name": "a", "image": "docker:29.7.2-dind", "securityContext": {"privileged": true}}]}});
        let (pod, coerced): (Pod, _) = from_value(&v).unwrap();
        assert!(coerced.is_empty());
        assert_eq!(pod, serde_json::from_value::<Pod>(v).unwrap());
    }
}
