//! The failure switch every in-memory adapter carries.

/// Arms failures: permanently (`unavailable`) or for a number of calls (`fail_next`).
#[derive(Debug, Default)]
pub(super) struct FaultSwitch {
    unavailable: bool,
    /// Calls that still succeed before the armed `fail_next` failures start.
    pass_first: u32,
    fail_next: u32,
}

impl FaultSwitch {
    /// While `true`, every call fails.
    pub(super) fn set_unavailable(&mut self, unavailable: bool) {
        self.unavailable = unavailable;
    }

    /// The next `calls` calls fail, then calls succeed again (unless switched off).
    pub(super) fn fail_next(&mut self, calls: u32) {
        self.fail_after(0, calls);
    }

    /// The next `ok` calls succeed, the `calls` after them fail, then calls succeed again.
    pub(super) fn fail_after(&mut self, ok: u32, calls: u32) {
        self.pass_first = ok;
        self.fail_next = calls;
    }

    /// Called at the start of every operation: `Err` with the reason when this call must
    /// fail. Consumes one armed failure.
    pub(super) fn trip(&mut self) -> Result<(), String> {
        if self.unavailable {
            return Err("switched off by the test".to_owned());
        }
        if self.fail_next > 0 && self.pass_first > 0 {
            self.pass_first -= 1;
            return Ok(());
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return Err("failure injected by the test".to_owned());
        }
        Ok(())
    }
}
