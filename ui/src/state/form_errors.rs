//! What is wrong with a form, one variant per mistake, each with the sentence the form
//! shows under it (its `Display`). The backend checks again; these only guide the
//! technician before a request is sent.

use thiserror::Error;

/// What the new-rollout form is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RolloutFormError {
    #[error("Workload: namespace/deployment, e.g. retail/pos-terminal")]
    Workload,
    #[error("Container: the name of the container to update")]
    Container,
    #[error("Image: the new image, e.g. registry/app:2.5.0")]
    Image,
    #[error("Tag: which tag the sites must have")]
    Tag,
    #[error("Sites: pick at least one site")]
    Sites,
    #[error("Failure budget: a number of sites per wave, e.g. 0")]
    FailureBudget,
    #[error("Deadline: seconds, at least 1")]
    Deadline,
    #[error("Soak: seconds, at least 0")]
    Soak,
}

/// What the import wizard's form is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ImportFormError {
    #[error("Type the kubeconfig's path first.")]
    NoPath,
    #[error("Choose a kubeconfig file first.")]
    NoFile,
    #[error("Paste a kubeconfig first.")]
    NothingPasted,
    #[error("Latitude must be a number between -90 and 90.")]
    Latitude,
    #[error("Longitude must be a number between -180 and 180.")]
    Longitude,
    #[error("Give both latitude and longitude, or neither.")]
    HalfLocation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rollout_form_mistake_names_its_field_and_what_to_enter() {
        use RolloutFormError as E;
        let cases = [
            (
                E::Workload,
                "Workload: namespace/deployment, e.g. retail/pos-terminal",
            ),
            (
                E::Container,
                "Container: the name of the container to update",
            ),
            (E::Image, "Image: the new image, e.g. registry/app:2.5.0"),
            (E::Tag, "Tag: which tag the sites must have"),
            (E::Sites, "Sites: pick at least one site"),
            (
                E::FailureBudget,
                "Failure budget: a number of sites per wave, e.g. 0",
            ),
            (E::Deadline, "Deadline: seconds, at least 1"),
            (E::Soak, "Soak: seconds, at least 0"),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }

    #[test]
    fn each_import_form_mistake_is_one_sentence() {
        use ImportFormError as E;
        let cases = [
            (E::NoPath, "Type the kubeconfig's path first."),
            (E::NoFile, "Choose a kubeconfig file first."),
            (E::NothingPasted, "Paste a kubeconfig first."),
            (E::Latitude, "Latitude must be a number between -90 and 90."),
            (
                E::Longitude,
                "Longitude must be a number between -180 and 180.",
            ),
            (
                E::HalfLocation,
                "Give both latitude and longitude, or neither.",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }
}
