package dev.profiler.recorder.bpf;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** Opening a BPF session in a test. */
final class TestSessions {
    private TestSessions() {}

    /**
     * The session, or the test skipped where BPF cannot be loaded at all
     * (not root, no BTF); with PROFILER_REQUIRE_BPF=1, which .ci/run sets,
     * that fails the test instead, as e2e's Tools.requireBpf does.
     */
    static BpfSession openOrSkip(BpfSession.Config config) {
        try {
            return BpfSession.open(config);
        } catch (BpfException | UnsatisfiedLinkError e) {
            if ("1".equals(System.getenv("PROFILER_REQUIRE_BPF")))
                fail("BPF is required (PROFILER_REQUIRE_BPF=1) but unavailable: " + e.getMessage());
            Assumptions.abort("BPF unavailable here: " + e.getMessage());
            return null;
        }
    }
}
