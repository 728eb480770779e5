//! Choosing what to stream: sites (several for the same workload), a workload or pod
//! of the first site, a container, follow/previous and the tail length.

use crate::api;
use crate::state::Load;
use crate::state::logs::Form;
use outpost_ipc::{LogPod, LogTarget, SiteDetail, SiteSummary, WorkloadKind};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PickerProps {
    pub sites: Rc<Vec<SiteSummary>>,
    pub form: Form,
    pub on_change: Callback<Form>,
}

/// `w|Kind|namespace|name` or `p|namespace|name`: option values of the target select.
fn encode(ns: &str, t: &LogTarget) -> String {
    match t {
        LogTarget::Workload { kind, name } => format!("w|{kind}|{ns}|{name}"),
        LogTarget::Pod { name } => format!("p|{ns}|{name}"),
    }
}

fn decode(v: &str) -> Option<(String, LogTarget)> {
    let p: Vec<&str> = v.split('|').collect();
    match p.as_slice() {
        ["w", kind, ns, name] => Some((
            ns.to_string(),
            LogTarget::Workload {
                kind: WorkloadKind::parse(kind)?,
                name: name.to_string(),
            },
        )),
        ["p", ns, name] => Some((
            ns.to_string(),
            LogTarget::Pod {
                name: name.to_string(),
            },
        )),
        _ => None,
    }
}

/// Applies one input's change to a copy of the form.
type FormEdit = Box<dyn Fn(&mut Form, &Event)>;

#[function_component(Picker)]
pub fn picker(props: &PickerProps) -> Html {
    let form = &props.form;
    let first = form.sites.first().cloned();
    let detail = use_state(|| Load::<SiteDetail>::Loading);
    {
        let detail = detail.clone();
        use_effect_with(first.clone(), move |site| {
            detail.set(Load::Loading);
            if let Some(site) = site.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    detail.set(match api::site_detail(&site).await {
                        Ok(d) => Load::Ready(d),
                        Err(e) => Load::Failed(e),
                    });
                });
            }
        });
    }
    let pods = use_state(Vec::<LogPod>::new);
    {
        let pods = pods.clone();
        let key = (first.clone(), form.namespace.clone(), form.target.clone());
        use_effect_with(key, move |(site, ns, target)| {
            pods.set(Vec::new());
            if let (Some(site), Some(target)) = (site.clone(), target.clone()) {
                let ns = ns.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(p) = api::logs::containers(&site, &ns, &target).await {
                        pods.set(p);
                    }
                });
            }
        });
    }
    let change = |f: FormEdit| {
        let (form, cb) = (props.form.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let mut next = form.clone();
            f(&mut next, &e);
            cb.emit(next);
        })
    };
    let checked = |e: &Event| e.target_unchecked_into::<HtmlInputElement>().checked();
    let site_boxes = props.sites.iter().map(|s| {
        let name = s.name.clone();
        let on = form.sites.contains(&s.name);
        let onchange = change(Box::new(move |f, e| {
            f.sites.retain(|n| n != &name);
            if e.target_unchecked_into::<HtmlInputElement>().checked() {
                f.sites.push(name.clone());
            }
        }));
        html! {
            <label class="logs-site">
                <input type="checkbox" checked={on} {onchange} />
                { s.display_name.clone() }<span class="muted">{ format!(" ({})", s.name) }</span>
            </label>
        }
    });
    let selected = form
        .target
        .as_ref()
        .map(|t| encode(&form.namespace, t))
        .unwrap_or_default();
    let targets = match &*detail {
        Load::Ready(d) => {
            let mut opts: Vec<(String, String)> = d
                .workloads
                .iter()
                .map(|w| {
                    let t = LogTarget::Workload {
                        kind: w.kind,
                        name: w.name.clone(),
                    };
                    (
                        encode(&w.namespace, &t),
                        format!("{} {}/{} (all pods)", w.kind, w.namespace, w.name),
                    )
                })
                .collect();
            opts.extend(d.pods.iter().map(|p| {
                let t = LogTarget::Pod {
                    name: p.name.clone(),
                };
                (
                    encode(&p.namespace, &t),
                    format!("Pod {}/{}", p.namespace, p.name),
                )
            }));
            opts
        }
        _ => Vec::new(),
    };
    let on_target = change(Box::new(|f, e| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        if let Some((ns, t)) = decode(&v) {
            f.namespace = ns;
            f.target = Some(t);
            f.container = None;
        }
    }));
    let mut containers: Vec<String> = pods
        .iter()
        .flat_map(|p| p.containers.iter().map(|c| c.name.clone()))
        .collect();
    containers.sort();
    containers.dedup();
    let on_container = change(Box::new(|f, e| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        f.container = (!v.is_empty()).then_some(v);
    }));
    let has_previous = pods
        .iter()
        .any(|p| p.containers.iter().any(|c| c.has_previous));
    let on_follow = change(Box::new(move |f, e| f.follow = checked(e)));
    let on_previous = change(Box::new(move |f, e| f.previous = checked(e)));
    let on_tail = change(Box::new(|f, e| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        f.tail = v.trim().parse::<u64>().ok().filter(|n| *n > 0);
    }));
    html! {
        <fieldset class="logs-picker" aria-label="What to stream">
            <div class="logs-sites" role="group" aria-label="Sites">{ for site_boxes }</div>
            <label class="field">{ "Workload or pod" }
                <select id="logs-target" onchange={on_target} disabled={first.is_none()}>
                    <option value="" selected={selected.is_empty()}>
                        { match (&*detail, &first) {
                            (_, None) => "Pick a site first",
                            (Load::Loading, _) => "Loading…",
                            (Load::Failed(_), _) => "Could not load the site",
                            _ => "Choose…",
                        } }
                    </option>
                    { for targets.into_iter().map(|(v, label)| html! {
                        <option value={v.clone()} selected={v == selected}>{ label }</option>
                    }) }
                </select>
            </label>
            <label class="field">{ "Container" }
                <select id="logs-container" onchange={on_container}>
                    <option value="" selected={form.container.is_none()}>{ "All containers" }</option>
                    { for containers.into_iter().map(|c| html! {
                        <option value={c.clone()} selected={form.container.as_ref() == Some(&c)}>{ c }</option>
                    }) }
                </select>
            </label>
            <label class="field check"><input type="checkbox" id="logs-follow" checked={form.follow} onchange={on_follow} />{ "Follow" }</label>
            <label class="field check" title={if has_previous { "A previous instance exists" } else { "No restart seen yet" }}>
                <input type="checkbox" id="logs-previous" checked={form.previous} onchange={on_previous} />{ "Previous container" }
            </label>
            <label class="field">{ "Tail lines" }
                <input type="number" id="logs-tail" min="1" value={form.tail.map(|n| n.to_string()).unwrap_or_default()}
                       placeholder="all" onchange={on_tail} />
            </label>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_values_round_trip() {
        for t in [
            LogTarget::Workload {
                kind: WorkloadKind::Deployment,
                name: "pos".into(),
            },
            LogTarget::Pod {
                name: "pos-7f9-x".into(),
            },
        ] {
            assert_eq!(decode(&encode("shop", &t)), Some(("shop".to_string(), t)));
        }
        assert_eq!(decode("x|y"), None);
        assert_eq!(
            decode("p|a|b|c"),
            None,
            "a name with a separator is refused, not misread"
        );
    }
}
