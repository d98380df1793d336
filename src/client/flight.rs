//! Single flight on one thread: the first caller runs the work, later callers wait for its
//! result. No executor or channel crate: the browser is single-threaded, and the native race
//! tests drive it with any executor.

use crate::error::{Error, ErrorCode, Result};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct Landing {
    result: RefCell<Option<Result<()>>>,
    wakers: RefCell<Vec<Waker>>,
}

impl Landing {
    fn land(&self, result: Result<()>) {
        if self.result.borrow().is_none() {
            *self.result.borrow_mut() = Some(result);
        }
        for waker in self.wakers.take() {
            waker.wake();
        }
    }
}

/// At most one run of some work at a time; callers during a run share its result.
#[derive(Default)]
pub(crate) struct Flight {
    current: RefCell<Option<Rc<Landing>>>,
}

/// Lands the run when the future running it ends, also when it is dropped half way (its
/// waiters then get an error instead of waiting forever).
struct Lander<'f> {
    flight: &'f Flight,
    landing: Rc<Landing>,
}

impl Drop for Lander<'_> {
    fn drop(&mut self) {
        self.flight.current.borrow_mut().take();
        self.landing.land(Err(Error::new(
            ErrorCode::NetworkError,
            "the refresh was abandoned",
        )));
    }
}

struct Wait(Rc<Landing>);

impl Future for Wait {
    type Output = Result<()>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Some(result) = self.0.result.borrow().as_ref() {
            return Poll::Ready(result.clone());
        }
        self.0.wakers.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

impl Flight {
    /// Whether a run is in progress.
    pub(crate) fn active(&self) -> bool {
        self.current.borrow().is_some()
    }

    /// Runs `work` unless a run is in progress, whose result is then shared.
    pub(crate) async fn run<F: Future<Output = Result<()>>>(
        &self,
        work: impl FnOnce() -> F,
    ) -> Result<()> {
        let running = self.current.borrow().clone();
        if let Some(landing) = running {
            return Wait(landing).await;
        }
        let landing = Rc::new(Landing::default());
        *self.current.borrow_mut() = Some(landing.clone());
        let lander = Lander {
            flight: self,
            landing,
        };
        let result = work().await;
        lander.landing.land(result.clone());
        drop(lander);
        result
    }
}
