package dev.profiler.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profiler.recorder.bpf.BpfRecords;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyscallNamesTest {
    @Test
    void namesByNumberWithGapsNamedByNumber() {
        List<String> names = SyscallNames.x86_64();
        assertEquals(BpfRecords.MAX_SYSCALL, names.size());
        assertEquals("read", names.get(0));
        assertEquals("write", names.get(1));
        assertEquals("futex", names.get(202));
        assertEquals("epoll_wait", names.get(232));
        assertEquals("syscall_400", names.get(400)); // x86-64 leaves 335-423 unused
        assertEquals("syscall_" + (names.size() - 1), names.get(names.size() - 1));
    }
}
