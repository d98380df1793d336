//! Store wrappers for tests: forced interleavings and injected faults over a MemoryStore.

use jwt_refresh::{Error, ErrorCode, MemoryStore, SessionStore, Stored};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Returns Pending once, so that concurrent futures all reach this point before any goes on.
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// What a [`TestStore`] does wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Every read fails (an outage, or a read that timed out).
    GetFails,
    /// Every write fails after the read succeeded (a write that timed out).
    PutFails,
    /// Every compare-and-swap loses.
    PutAlwaysConflicts,
    /// Every write lands, then reports failure (a write that outlived its timeout, or a
    /// backend that threw after committing).
    PutLandsThenFails,
}

/// A MemoryStore that yields after each read (forcing interleavings under `join_all`),
/// counts lost CAS races, and injects faults.
pub struct TestStore {
    pub inner: MemoryStore,
    pub fault: Cell<Fault>,
    pub conflicts: Cell<usize>,
}

impl TestStore {
    pub fn new() -> TestStore {
        TestStore {
            inner: MemoryStore::new(),
            fault: Cell::new(Fault::None),
            conflicts: Cell::new(0),
        }
    }
}

fn unavailable() -> Error {
    Error::new(ErrorCode::StoreUnavailable, "injected store failure")
}

impl SessionStore for TestStore {
    async fn get(&self, sub: &str, sid: &str) -> Result<Option<Stored>, Error> {
        if self.fault.get() == Fault::GetFails {
            return Err(unavailable());
        }
        let value = self.inner.get(sub, sid).await;
        YieldOnce(false).await;
        value
    }

    async fn put(
        &self,
        sub: &str,
        sid: &str,
        value: &str,
        expected: Option<u64>,
        expires_at: i64,
    ) -> Result<bool, Error> {
        match self.fault.get() {
            Fault::PutFails => return Err(unavailable()),
            Fault::PutAlwaysConflicts => {
                self.conflicts.set(self.conflicts.get() + 1);
                return Ok(false);
            }
            _ => {}
        }
        let written = self
            .inner
            .put(sub, sid, value, expected, expires_at)
            .await?;
        if !written {
            self.conflicts.set(self.conflicts.get() + 1);
        }
        if self.fault.get() == Fault::PutLandsThenFails {
            return Err(unavailable());
        }
        Ok(written)
    }

    async fn list(&self, sub: &str) -> Result<Vec<String>, Error> {
        if self.fault.get() == Fault::GetFails {
            return Err(unavailable());
        }
        self.inner.list(sub).await
    }
}
