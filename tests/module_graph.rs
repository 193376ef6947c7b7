//! The library's modules import one another without a circle: read from the
//! sources, `crate::a` named in module `b` is an edge `b -> a` between
//! top-level modules, and `super::a` (or `crate::dir::a`) in `dir/b.rs` an
//! edge `b -> a` between the submodules of `dir`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The names following `prefix` (`crate::`, `super::`) in `text`.
fn named_after<'t>(text: &'t str, prefix: &'t str) -> impl Iterator<Item = &'t str> + 't {
    text.match_indices(prefix).filter_map(move |(i, _)| {
        let rest = &text[i + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// The module a file is (`sticky/flow.rs` -> (`sticky`, `flow`),
/// `sticky/mod.rs` -> (`sticky`, `mod`), `range.rs` -> (``, `range`)).
fn module_of(rel: &Path) -> (String, String) {
    let stem = rel.file_stem().unwrap().to_string_lossy().into_owned();
    let dir = rel
        .parent()
        .map(|p| p.to_string_lossy().replace('/', "::"))
        .unwrap_or_default();
    (dir, stem)
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A circle in `graph`, if there is one.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, path) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_module_imports_itself_through_others() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    // Top-level modules, and per directory its submodules.
    let mut graphs: BTreeMap<String, Graph> = BTreeMap::new();
    for path in &paths {
        let rel = path.strip_prefix(&src).unwrap();
        // Code only: a doc comment's link to another module is not an import.
        let text: String = fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(|line| format!("{line}\n"))
            .collect();
        let (dir, stem) = module_of(rel);
        let top = match dir.split("::").next() {
            Some(first) if !first.is_empty() => first.to_string(),
            _ => stem.clone(),
        };
        if top == "lib" {
            continue;
        }
        let top_graph = graphs.entry(String::new()).or_default();
        let edges = top_graph.entry(top.clone()).or_default();
        edges.extend(
            named_after(&text, "crate::")
                .filter(|&n| n != top)
                .map(str::to_string),
        );
        if !dir.is_empty() && stem != "mod" {
            let sub = graphs.entry(dir.clone()).or_default();
            let own = format!("crate::{dir}::");
            let edges = sub.entry(stem.clone()).or_default();
            edges.extend(
                named_after(&text, "super::")
                    .chain(named_after(&text, &own))
                    .filter(|&n| n != stem)
                    .map(str::to_string),
            );
        }
    }
    let mut edges = 0;
    for (dir, graph) in &mut graphs {
        // Only edges between modules of the same level count.
        let nodes: BTreeSet<String> = graph.keys().cloned().collect();
        for targets in graph.values_mut() {
            targets.retain(|t| nodes.contains(t));
            edges += targets.len();
        }
        let level = if dir.is_empty() { "src" } else { dir };
        assert_eq!(
            circle(graph),
            None,
            "an import circle among the modules of {level}"
        );
    }
    // The reading found the graph (a parser that saw nothing would pass).
    assert!(
        graphs.len() >= 3 && edges > 20,
        "{edges} edges in {} graphs",
        graphs.len()
    );
}

#[test]
fn a_circle_is_found() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
        .collect();
    assert_eq!(
        circle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
