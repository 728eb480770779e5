//! Blocking file I/O (journals, bundles, the registry, the keyring) run off the async
//! workers, as though inline: a panic in it is raised again in the caller.

/// Runs `f` on Tokio's blocking pool and returns what it returns.
pub(crate) async fn unblock<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            // Only when the runtime shuts down before the task started: so does the caller.
            Err(_) => std::future::pending().await,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::unblock;

    #[tokio::test]
    async fn returns_the_value_and_raises_a_panic_again() {
        assert_eq!(unblock(|| 41 + 1).await, 42);
        let caught = tokio::spawn(unblock(|| -> u8 { panic!("boom") })).await;
        assert!(caught.is_err_and(|e| e.is_panic()));
    }
}
