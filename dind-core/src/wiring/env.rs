//! A container's environment as kubelet builds it: the last entry of a name wins, a `valueFrom`
//! entry has a value dind cannot know, and with `envFrom` any name not listed in `env` may be set.

use k8s_openapi::api::core::v1::{Container, EnvVar};

/// The value of one variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvValue<'a> {
    /// Not set.
    Unset,
    /// Set to this value (a null `value` is the empty string).
    Value(&'a str),
    /// Set from a ConfigMap, Secret, field or resource, or possibly by `envFrom`: unknown.
    Unknown,
}

impl<'a> EnvValue<'a> {
    /// The value when it is known.
    pub fn known(self) -> Option<&'a str> {
        match self {
            EnvValue::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Known to be set to a non-empty value.
    pub fn is_non_empty(self) -> bool {
        self.known().is_some_and(|v| !v.is_empty())
    }
}

/// A container's environment.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    vars: &'a [EnvVar],
    env_from: bool,
}

impl<'a> Env<'a> {
    /// The environment of `env` entries, plus `envFrom` sources when `env_from`.
    pub fn new(vars: &'a [EnvVar], env_from: bool) -> Self {
        Env { vars, env_from }
    }

    /// The environment of a container.
    pub fn of(container: &'a Container) -> Self {
        Env {
            vars: container.env.as_deref().unwrap_or_default(),
            env_from: container.env_from.as_ref().is_some_and(|e| !e.is_empty()),
        }
    }

    /// The index in `env` of the entry that sets `name` (the last one).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.vars.iter().rposition(|e| e.name == name)
    }

    /// The entry that sets `name`.
    pub fn entry(&self, name: &str) -> Option<&'a EnvVar> {
        self.index(name).map(|i| &self.vars[i])
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> EnvValue<'a> {
        match self.entry(name) {
            Some(e) if e.value_from.is_some() => EnvValue::Unknown,
            Some(e) => EnvValue::Value(e.value.as_deref().unwrap_or("")),
            None if self.env_from => EnvValue::Unknown,
            None => EnvValue::Unset,
        }
    }
}
