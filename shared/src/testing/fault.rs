//! The failure switch every in-memory adapter carries.

/// Arms failures: permanently (`unavailable`) or for a number of calls (`fail_next`).
#[derive(Debug, Default)]
pub(super) struct FaultSwitch {
    unavailable: bool,
    fail_next: u32,
}

impl FaultSwitch {
    /// While `true`, every call fails.
    pub(super) fn set_unavailable(&mut self, unavailable: bool) {
        self.unavailable = unavailable;
    }

    /// The next `calls` calls fail, then calls succeed again (unless switched off).
    pub(super) fn fail_next(&mut self, calls: u32) {
        self.fail_next = calls;
    }

    /// Called at the start of every operation: `Err` with the reason when this call must
    /// fail. Consumes one armed failure.
    pub(super) fn trip(&mut self) -> Result<(), String> {
        if self.unavailable {
            return Err("switched off by the test".to_owned());
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return Err("failure injected by the test".to_owned());
        }
        Ok(())
    }
}
