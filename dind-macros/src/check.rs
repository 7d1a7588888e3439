//! Every check that literals allow, collected before anything is generated (like serde_derive's
//! `Ctxt` and `check.rs`): values first, then the cross-field pass. All errors are reported at
//! once, each at its token.

use darling::Error;
use darling::util::SpannedValue;
use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::attrs::{Role, StructAttrs};

use dind_facts::{ENGINES, RUNTIMES, TRANSPORTS, USER_NAMESPACES};

/// What the derive generates from, once checked.
pub struct Plan {
    pub ident: syn::Ident,
    pub generics: syn::Generics,
    pub krate: syn::Path,
    pub transport: Option<String>,
    pub socket: Option<String>,
    pub port: Option<u32>,
    pub rootless: bool,
    pub image: Option<String>,
    pub docker_version: Option<String>,
    pub mtu: Option<u32>,
    pub native_sidecar: bool,
    pub kube_version: Option<String>,
    pub runtime: Option<String>,
    pub user_namespace: Option<String>,
    pub engine: Option<String>,
    pub buildkit_version: Option<String>,
    pub registry_auth: Option<String>,
    pub fields: Vec<(syn::Ident, syn::Type, Role)>,
}

fn int_in(
    lit: &syn::LitInt,
    what: &str,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut darling::error::Accumulator,
) -> Option<u32> {
    match lit.base10_parse::<u64>() {
        Ok(v) if v >= u64::from(*range.start()) && v <= u64::from(*range.end()) => u32::try_from(v).ok(),
        Ok(v) => {
            errors.push(
                Error::custom(format!(
                    "{what} = {v} is out of range ({}..={})",
                    range.start(),
                    range.end()
                ))
                .with_span(lit),
            );
            None
        }
        Err(e) => {
            errors.push(Error::custom(format!("{what}: {e}")).with_span(lit));
            None
        }
    }
}

use dind_facts::kube_minor;

/// A literal that must be one of `names` (the spellings `dind-facts` lists).
fn one_of(
    lit: Option<&SpannedValue<String>>,
    what: &str,
    names: &[&str],
    errors: &mut darling::error::Accumulator,
) -> Option<String> {
    let lit = lit?;
    if names.contains(&lit.as_str()) {
        return Some(lit.to_string());
    }
    let hint = dind_facts::did_you_mean(lit, names.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    errors.push(
        Error::custom(format!(
            "unknown {what} `{}` (expected one of: {}){hint}",
            lit.as_str(),
            names.join(", ")
        ))
        .with_span(&lit.span()),
    );
    None
}

pub fn check(input: StructAttrs) -> Result<Plan, Error> {
    let mut errors = Error::accumulator();
    let krate = input.krate.clone().unwrap_or_else(|| syn::parse_quote!(::dind));

    // Values.
    let transport = one_of(input.transport.as_ref(), "transport", &TRANSPORTS, &mut errors);
    let runtime = one_of(input.runtime.as_ref(), "runtime", &RUNTIMES, &mut errors);
    let engine = one_of(input.engine.as_ref(), "engine", &ENGINES, &mut errors);
    if let Some(secret) = &input.registry_auth
        && let Some(problem) = dind_facts::secret_name_problem(secret)
    {
        errors.push(Error::custom(problem).with_span(&secret.span()));
    }
    let user_namespace = one_of(
        input.user_namespace.as_ref(),
        "user namespace",
        &USER_NAMESPACES,
        &mut errors,
    );
    let port = input
        .port
        .as_ref()
        .and_then(|p| int_in(p, "port", dind_facts::PORT_RANGE, &mut errors));
    let mtu = input
        .mtu
        .as_ref()
        .and_then(|m| int_in(m, "mtu", dind_facts::MTU_RANGE, &mut errors));
    if let Some(s) = &input.socket
        && let Some(problem) = dind_facts::socket_path_problem(s)
    {
        errors.push(Error::custom(problem).with_span(&s.span()));
    }
    if let Some(k) = &input.kube_version
        && kube_minor(k).is_none()
    {
        errors.push(
            Error::custom(format!(
                "kube_version `{}` is not a Kubernetes version such as \"1.33\"",
                k.as_str()
            ))
            .with_span(&k.span()),
        );
    }

    // Field roles.
    let mut fields = Vec::new();
    let struct_fields = input.data.as_ref().take_struct().map(|f| f.fields).unwrap_or_default();
    for f in struct_fields {
        let Some(ident) = f.ident.clone() else { continue };
        let roles = f.roles();
        let role = match roles.as_slice() {
            [] => match Role::from_name(&ident.to_string()) {
                Some(r) => r,
                None => {
                    let names: Vec<&str> = Role::ALL.iter().map(|(_, n)| *n).collect();
                    errors.push(
                        Error::custom(format!(
                            "field `{ident}` has no role; give it one ({}) or mark it `#[dind(skip)]`",
                            names.join(", ")
                        ))
                        .with_span(&ident),
                    );
                    continue;
                }
            },
            [(r, _)] => *r,
            [(first, _), rest @ ..] => {
                for (r, span) in rest {
                    errors.push(
                        Error::custom(format!(
                            "field `{ident}` has two roles, `{}` and `{}`; a field feeds one setting",
                            first.name(),
                            r.name()
                        ))
                        .with_span(span),
                    );
                }
                *first
            }
        };
        if role != Role::Skip {
            fields.push((
                ident,
                f.ty.clone(),
                role,
                roles.first().map_or_else(|| f.ident.span(), |(_, s)| *s),
            ));
        }
    }

    // Cross-field checks.
    for (i, (ident, _, role, span)) in fields.iter().enumerate() {
        if let Some((other, ..)) = fields[..i].iter().find(|(_, _, r, _)| r == role) {
            errors.push(
                Error::custom(format!(
                    "duplicate role `{}`: fields `{other}` and `{ident}` both feed it",
                    role.name()
                ))
                .with_span(span),
            );
        }
        let literal: Option<Span> = match role {
            Role::Port => input.port.as_ref().map(Spanned::span),
            Role::Socket => input.socket.as_ref().map(|s| s.span()),
            Role::Image => input.image.as_ref().map(|s| s.span()),
            Role::Mtu => input.mtu.as_ref().map(Spanned::span),
            Role::KubeVersion => input.kube_version.as_ref().map(|s| s.span()),
            _ => None,
        };
        if literal.is_some() {
            errors.push(
                Error::custom(format!(
                    "`{}` is given twice: as a struct attribute and by field `{ident}`",
                    role.name()
                ))
                .with_span(span),
            );
        }
    }
    let has_field = |role: Role| fields.iter().find(|(_, _, r, _)| *r == role).map(|(_, _, _, s)| *s);
    let kind = transport.as_deref().unwrap_or("unix");
    let buildkit = engine.as_deref() == Some("buildkit");
    let socket_span = input
        .socket
        .as_ref()
        .map(|s| s.span())
        .or_else(|| has_field(Role::Socket));
    if let Some(span) = socket_span
        && kind != "unix"
        && !buildkit
    {
        errors.push(Error::custom(format!("`socket` applies to the `unix` transport, not `{kind}`")).with_span(&span));
    }
    let port_span = input.port.as_ref().map(Spanned::span).or_else(|| has_field(Role::Port));
    if let Some(span) = port_span
        && (kind == "unix" || kind == "in-container")
        && !buildkit
    {
        let why = if transport.is_none() {
            " (the default transport); add `transport = \"tcp\"` or `\"tls\"`"
        } else {
            ""
        };
        errors.push(
            Error::custom(format!(
                "`port` applies to the `tcp` and `tls` transports, not `{kind}`{why}"
            ))
            .with_span(&span),
        );
    }
    if input.rootless.is_present() && kind == "tcp" && !buildkit {
        errors.push(Error::custom("plaintext TCP cannot work rootless (dockerd listens inside rootlesskit's network namespace); use `unix` or `tls`").with_span(&input.rootless.span()));
    }
    if let (Some(image), Some(_)) = (&input.image, &input.docker_version) {
        errors.push(
            Error::custom("give either `image` or `docker_version`, not both (the image's tag names the version)")
                .with_span(&image.span()),
        );
    }
    if input.native_sidecar.is_present()
        && let Some(k) = &input.kube_version
        && let Some(problem) = kube_minor(k).and_then(dind_facts::native_sidecar_problem)
    {
        errors.push(Error::custom(problem).with_span(&k.span()));
    }

    let sysbox = runtime.as_deref() == Some("sysbox");
    // An unknown runtime is reported above; do not cascade.
    if let Some(u) = &input.user_namespace
        && !sysbox
        && (input.runtime.is_none() || runtime.is_some())
    {
        errors.push(
            Error::custom("`user_namespace` applies to `runtime = \"sysbox\"` (a privileged daemon shares the node's user namespace)")
                .with_span(&u.span()),
        );
    }
    if sysbox && input.rootless.is_present() {
        errors.push(Error::custom("rootless adds nothing under `runtime = \"sysbox\"`: the daemon already runs unprivileged, and rootlesskit's user namespace cannot nest inside Sysbox's").with_span(&input.rootless.span()));
    }
    if sysbox
        && user_namespace.as_deref() != Some("cri-o")
        && let Some(k) = &input.kube_version
        && let Some(minor) = kube_minor(k).filter(|m| *m < dind_facts::HOST_USERS_BETA_MINOR)
        && let Some(problem) = dind_facts::host_users_problem(minor)
    {
        errors.push(
            Error::custom(format!(
                "{problem}; `runtime = \"sysbox\"` needs Kubernetes >= 1.{} for `hostUsers: false` (or `user_namespace = \"cri-o\"`)",
                dind_facts::HOST_USERS_BETA_MINOR
            ))
            .with_span(&k.span()),
        );
    }

    if buildkit {
        // The dockerd vocabulary means nothing to buildkitd: each is an error at its own token.
        let docker_only: [(&str, Option<Span>, &str); 7] = [
            (
                "transport",
                input.transport.as_ref().map(|t| t.span()),
                "buildkitd serves a unix socket shared with its clients",
            ),
            (
                "socket",
                socket_span,
                "buildkitd's socket is fixed at `/run/buildkit/buildkitd.sock`",
            ),
            ("port", port_span, "buildkitd listens on a unix socket, not TCP"),
            (
                "rootless",
                input.rootless.is_present().then(|| input.rootless.span()),
                "engine `buildkit` is always rootless",
            ),
            (
                "docker_version",
                input.docker_version.as_ref().map(|t| t.span()),
                "use `buildkit_version`",
            ),
            (
                "mtu",
                input.mtu.as_ref().map(Spanned::span),
                "rootless buildkitd uses the pod's network",
            ),
            (
                "runtime",
                (runtime.as_deref() == Some("sysbox"))
                    .then(|| input.runtime.as_ref().map(|t| t.span()))
                    .flatten(),
                "Sysbox runs the docker engine unprivileged; rootless BuildKit needs no runtime of its own",
            ),
        ];
        for (key, span, instead) in docker_only {
            if let Some(span) = span {
                errors.push(
                    Error::custom(format!("`{key}` does not apply to `engine = \"buildkit\"`: {instead}"))
                        .with_span(&span),
                );
            }
        }
        if let (Some(image), Some(_)) = (&input.image, &input.buildkit_version) {
            errors.push(
                Error::custom(
                    "give either `image` or `buildkit_version`, not both (the image's tag names the version)",
                )
                .with_span(&image.span()),
            );
        }
    } else if let Some(v) = &input.buildkit_version
        && (input.engine.is_none() || engine.is_some())
    {
        errors.push(
            Error::custom(
                "`buildkit_version` applies to `engine = \"buildkit\"`; the docker engine takes `docker_version`",
            )
            .with_span(&v.span()),
        );
    }

    errors.finish()?;
    Ok(Plan {
        ident: input.ident,
        generics: input.generics,
        krate,
        transport,
        socket: input.socket.map(|s| s.as_str().to_string()),
        port,
        rootless: input.rootless.is_present(),
        image: input.image.map(|s| s.as_str().to_string()),
        docker_version: input.docker_version.map(|s| s.as_str().to_string()),
        mtu,
        native_sidecar: input.native_sidecar.is_present(),
        kube_version: input.kube_version.map(|s| s.as_str().to_string()),
        runtime,
        user_namespace,
        engine,
        buildkit_version: input.buildkit_version.map(|s| s.as_str().to_string()),
        registry_auth: input.registry_auth.map(|s| s.as_str().to_string()),
        fields: fields.into_iter().map(|(i, t, r, _)| (i, t, r)).collect(),
    })
}
