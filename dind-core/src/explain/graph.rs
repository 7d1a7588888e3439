//! [`PodWiring`] as a graph, written as Graphviz DOT or a Mermaid flowchart: each pod a cluster
//! of its containers, each listener and volume a node of its own, an edge from each daemon to
//! what it serves and from each container to the volumes it mounts, and an edge from each client
//! to what it connects to: green when served, red with the finding's code when not, grey when
//! dind cannot tell.

use std::fmt::Write as _;

use super::{PodWiring, Role};

/// A node's shape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Container(Role),
    Listener,
    Volume,
    /// An endpoint no listener of the pod serves (or an unknown one).
    Missing,
}

/// How an edge is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Serves,
    Mounts,
    Ok,
    Broken,
    Unknown,
}

struct Node {
    id: String,
    label: Vec<String>,
    shape: Shape,
}

struct Edge {
    from: String,
    to: String,
    label: String,
    kind: Kind,
}

struct Cluster {
    id: String,
    label: String,
    nodes: Vec<Node>,
}

struct Graph {
    clusters: Vec<Cluster>,
    edges: Vec<Edge>,
}

fn graph(pods: &[(&str, &PodWiring)]) -> Graph {
    let mut clusters = Vec::new();
    let mut edges = Vec::new();
    for (p, (label, w)) in pods.iter().enumerate() {
        let mut nodes = Vec::new();
        let cid = |name: &str| {
            w.containers
                .iter()
                .position(|c| c.name == name)
                .map(|i| format!("p{p}c{i}"))
        };
        for (i, c) in w.containers.iter().enumerate() {
            nodes.push(Node {
                id: format!("p{p}c{i}"),
                label: vec![c.name.clone(), c.role.as_str().to_string()],
                shape: Shape::Container(c.role),
            });
        }
        let mut listener_ids = Vec::new();
        for (k, d) in w.daemons.iter().enumerate() {
            for (j, l) in d.listeners.iter().enumerate() {
                let id = format!("p{p}d{k}l{j}");
                let mut label = vec![l.endpoint.clone()];
                let tls = l.tls.map(|t| match t {
                    super::Tls::Plain => "plain",
                    super::Tls::Encrypted => "encrypted",
                    super::Tls::Verified => "verified",
                });
                let reach = match l.reach {
                    super::Reach::Container => "container",
                    super::Reach::Pod => "pod",
                    super::Reach::Cluster => "cluster",
                };
                label.push(match tls {
                    Some(t) => format!("{t}, reach: {reach}"),
                    None => format!("reach: {reach}"),
                });
                nodes.push(Node {
                    id: id.clone(),
                    label,
                    shape: Shape::Listener,
                });
                if let Some(from) = cid(&d.container) {
                    edges.push(Edge {
                        from,
                        to: id.clone(),
                        label: "serves".to_string(),
                        kind: Kind::Serves,
                    });
                }
                listener_ids.push((d.container.clone(), l.endpoint.clone(), id));
            }
        }
        for (v, vol) in w.volumes.iter().enumerate().filter(|(_, v)| !v.mounts.is_empty()) {
            let id = format!("p{p}v{v}");
            nodes.push(Node {
                id: id.clone(),
                label: vec![vol.name.clone(), vol.kind.clone()],
                shape: Shape::Volume,
            });
            for m in &vol.mounts {
                if let Some(from) = cid(&m.container) {
                    edges.push(Edge {
                        from,
                        to: id.clone(),
                        label: m.path.clone(),
                        kind: Kind::Mounts,
                    });
                }
            }
        }
        for (i, c) in w.clients.iter().enumerate() {
            let Some(from) = cid(&c.container) else { continue };
            let target = match (&c.daemon, &c.listener) {
                (Some(d), Some(l)) => listener_ids
                    .iter()
                    .find(|(dc, le, _)| dc == d && le == l)
                    .map(|(_, _, id)| id.clone()),
                _ => None,
            };
            let (kind, label) = match (c.served, &c.code) {
                (Some(true), _) => (Kind::Ok, "ok".to_string()),
                (Some(false), code) => (Kind::Broken, code.clone().unwrap_or_else(|| "not served".to_string())),
                (None, _) => (Kind::Unknown, "unknown".to_string()),
            };
            let to = match target {
                Some(id) => id,
                None => {
                    let id = format!("p{p}e{i}");
                    nodes.push(Node {
                        id: id.clone(),
                        label: vec![c.endpoint.clone().unwrap_or_else(|| "unknown endpoint".to_string())],
                        shape: Shape::Missing,
                    });
                    id
                }
            };
            edges.push(Edge { from, to, label, kind });
        }
        clusters.push(Cluster {
            id: format!("p{p}"),
            label: (*label).to_string(),
            nodes,
        });
    }
    Graph { clusters, edges }
}

const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const GREY: &str = "#757575";

fn role_fill(role: Role) -> &'static str {
    match role {
        Role::Daemon | Role::Buildkitd => "#e3f2fd",
        Role::Client => "#f1f8e9",
        Role::Agent => "#fff8e1",
        Role::Other => "#fafafa",
    }
}

/// A DOT string literal.
fn dot_quote(lines: &[String]) -> String {
    let body: Vec<String> = lines
        .iter()
        .map(|l| l.replace('\\', "\\\\").replace('"', "\\\""))
        .collect();
    format!("\"{}\"", body.join("\\n"))
}

/// The pods of a file as a Graphviz digraph (`dot -Tsvg` draws it).
///
/// ```
/// use dind_core::explain::{PodWiring, dot};
/// let built = dind_core::DindPod::new().build().unwrap();
/// let w = PodWiring::of_pod(built.pod(), &dind_core::rules::Context::default());
/// let g = dot(&[("Pod dind-agent", &w)]);
/// assert!(g.starts_with("digraph dind {"));
/// assert!(g.contains("label=\"ok\""));
/// ```
pub fn dot(pods: &[(&str, &PodWiring)]) -> String {
    let g = graph(pods);
    let mut out = String::from(
        "digraph dind {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for c in &g.clusters {
        let _ = writeln!(out, "  subgraph cluster_{} {{", c.id);
        let _ = writeln!(out, "    label={};", dot_quote(std::slice::from_ref(&c.label)));
        for n in &c.nodes {
            let style = match n.shape {
                Shape::Container(role) => {
                    format!("shape=box, style=\"rounded,filled\", fillcolor=\"{}\"", role_fill(role))
                }
                Shape::Listener => "shape=ellipse".to_string(),
                Shape::Volume => "shape=cylinder".to_string(),
                Shape::Missing => format!("shape=ellipse, style=dashed, color=\"{RED}\""),
            };
            let _ = writeln!(out, "    {} [label={}, {style}];", n.id, dot_quote(&n.label));
        }
        out.push_str("  }\n");
    }
    for e in &g.edges {
        let style = match e.kind {
            Kind::Serves => format!("color=\"{GREY}\""),
            Kind::Mounts => format!("style=dotted, dir=none, color=\"{GREY}\""),
            Kind::Ok => format!("color=\"{GREEN}\", fontcolor=\"{GREEN}\", penwidth=2"),
            Kind::Broken => format!("color=\"{RED}\", fontcolor=\"{RED}\", penwidth=2"),
            Kind::Unknown => format!("style=dashed, color=\"{GREY}\""),
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, {style}];",
            e.from,
            e.to,
            dot_quote(std::slice::from_ref(&e.label))
        );
    }
    out.push_str("}\n");
    out
}

/// A Mermaid label: quoted, with `"`, `<` and `>` as entities and lines joined by `<br>`.
fn mermaid_quote(lines: &[String]) -> String {
    let body: Vec<String> = lines
        .iter()
        .map(|l| {
            l.replace('&', "#amp;")
                .replace('"', "#quot;")
                .replace('<', "#lt;")
                .replace('>', "#gt;")
        })
        .collect();
    format!("\"{}\"", body.join("<br>"))
}

/// The pods of a file as a Mermaid flowchart (GitHub draws it in a ```` ```mermaid ```` block).
///
/// ```
/// use dind_core::explain::{PodWiring, mermaid};
/// let built = dind_core::DindPod::new().build().unwrap();
/// let w = PodWiring::of_pod(built.pod(), &dind_core::rules::Context::default());
/// let g = mermaid(&[("Pod dind-agent", &w)]);
/// assert!(g.starts_with("flowchart LR\n"));
/// ```
pub fn mermaid(pods: &[(&str, &PodWiring)]) -> String {
    let g = graph(pods);
    let mut out = String::from("flowchart LR\n");
    for c in &g.clusters {
        let _ = writeln!(
            out,
            "  subgraph {}[{}]",
            c.id,
            mermaid_quote(std::slice::from_ref(&c.label))
        );
        for n in &c.nodes {
            let label = mermaid_quote(&n.label);
            let node = match n.shape {
                Shape::Container(_) => format!("{}[{label}]", n.id),
                Shape::Listener => format!("{}([{label}])", n.id),
                Shape::Volume => format!("{}[({label})]", n.id),
                Shape::Missing => format!("{}{{{{{label}}}}}", n.id),
            };
            let _ = writeln!(out, "    {node}");
        }
        out.push_str("  end\n");
    }
    let mut styles: Vec<(usize, &str)> = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        let arrow = match e.kind {
            Kind::Mounts => "-.-",
            Kind::Unknown => "-.->",
            _ => "-->",
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|{}| {}",
            e.from,
            mermaid_quote(std::slice::from_ref(&e.label)),
            e.to
        );
        match e.kind {
            Kind::Ok => styles.push((i, GREEN)),
            Kind::Broken => styles.push((i, RED)),
            _ => {}
        }
    }
    for (i, color) in styles {
        let _ = writeln!(out, "  linkStyle {i} stroke:{color},stroke-width:2px,color:{color}");
    }
    let mut classes: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in &g.clusters {
        for n in &c.nodes {
            let class = match n.shape {
                Shape::Container(Role::Daemon | Role::Buildkitd) => "daemon",
                Shape::Container(Role::Client) => "client",
                Shape::Container(Role::Agent) => "agent",
                Shape::Container(Role::Other) => "other",
                Shape::Listener => "listener",
                Shape::Volume => "volume",
                Shape::Missing => "missing",
            };
            match classes.iter_mut().find(|(k, _)| *k == class) {
                Some((_, ids)) => ids.push(&n.id),
                None => classes.push((class, vec![&n.id])),
            }
        }
    }
    for (class, ids) in &classes {
        let style = match *class {
            "daemon" => format!("fill:{}", role_fill(Role::Daemon)),
            "client" => format!("fill:{}", role_fill(Role::Client)),
            "agent" => format!("fill:{}", role_fill(Role::Agent)),
            "missing" => format!("stroke:{RED},stroke-dasharray:4"),
            _ => format!("fill:{}", role_fill(Role::Other)),
        };
        let _ = writeln!(out, "  classDef {class} {style}");
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    out
}
