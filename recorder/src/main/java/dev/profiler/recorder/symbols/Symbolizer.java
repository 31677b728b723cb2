package dev.profiler.recorder.symbols;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a raw address into a {@link Frame}: kernel addresses through
 * /proc/kallsyms, user addresses through the process's mappings to an ELF
 * file's symbols, anonymous executable memory through the JIT's perf map.
 */
public final class Symbolizer {
    private final KernelSymbols kernel;
    private final String kernelBuildId;
    private final ElfCache elves;
    private final Path procRoot;
    private final Map<Integer, SymbolTable> perfMaps = new HashMap<>();
    /** pid + path -> file: resolving a path through /proc/PID/root costs two stat calls. */
    private final Map<String, Resolved> filesByPidPath = new HashMap<>();

    public Symbolizer(KernelSymbols kernel, String kernelBuildId, ElfCache elves, Path procRoot) {
        this.kernel = kernel;
        this.kernelBuildId = kernelBuildId;
        this.elves = elves;
        this.procRoot = procRoot;
    }

    /**
     * @param returnAddress true for every frame but the leaf: the address is
     *     where the call returns to, so the call itself is at address - 1
     */
    public Frame kernelFrame(long addr, boolean returnAddress) {
        long lookupAddr = returnAddress ? addr - 1 : addr;
        SymbolTable.Hit hit = kernel.lookup(lookupAddr);
        String module = kernel.moduleOf(lookupAddr, hit);
        return new Frame(Frame.Kind.KERNEL, addr, module,
            KernelSymbols.KERNEL_MODULE.equals(module) ? kernelBuildId : null, addr,
            hit == null ? null : hit.name(), hit == null ? 0 : hit.offset() + (returnAddress ? 1 : 0));
    }

    /** A user frame of process pid; maps is its current mapping snapshot (may be null). */
    public Frame userFrame(int pid, ProcessMaps maps, long addr, boolean returnAddress) {
        long lookupAddr = returnAddress ? addr - 1 : addr;
        ProcessMaps.Mapping m = maps == null ? null : maps.find(lookupAddr);
        if (m == null || m.path() == null) {
            SymbolTable.Hit hit = jitLookup(pid, lookupAddr);
            String module = m == null ? "[unknown]" : "[jit]";
            return new Frame(m == null ? Frame.Kind.USER : Frame.Kind.JIT, addr, module, null, addr,
                hit == null ? null : hit.name(), hit == null ? 0 : hit.offset() + (returnAddress ? 1 : 0));
        }
        long fileOffset = addr - m.start() + m.offset();
        if (m.isSpecial())
            return new Frame(Frame.Kind.USER, addr, m.path(), null, fileOffset, null, 0);
        ElfCache.Entry e = elfOf(pid, m.path());
        String buildId = e.elf() == null ? null : e.elf().buildId();
        String function = null;
        long functionOffset = 0;
        if (e.elf() != null) {
            long vaddr = e.elf().fileOffsetToVaddr(fileOffset - (returnAddress ? 1 : 0));
            SymbolTable.Hit hit = vaddr < 0 ? null : e.symbols().lookup(vaddr);
            if (hit != null) {
                function = Demangler.demangle(hit.name());
                functionOffset = hit.offset() + (returnAddress ? 1 : 0);
            }
        }
        return new Frame(Frame.Kind.USER, addr, m.path(), buildId, fileOffset, function, functionOffset);
    }

    /**
     * The static data object of a program or library of pid that addr lies
     * in ("work_lock", "table+0x40"), or null (heap, stack, no symbols). Each
     * mapped file is tried: its load bias comes from its executable mapping,
     * and its PT_LOAD segments say whether it loads addr (.data, .bss).
     */
    public String dataSymbol(int pid, ProcessMaps maps, long addr) {
        if (maps == null) return null;
        for (ProcessMaps.Mapping m : maps.mappings()) {
            if (m.path() == null || m.isSpecial() || !m.executable()) continue;
            ElfCache.Entry e = elfOf(pid, m.path());
            if (e.elf() == null) continue;
            long vaddrOfStart = e.elf().fileOffsetToVaddr(m.offset());
            if (vaddrOfStart < 0) continue;
            long vaddr = addr - (m.start() - vaddrOfStart);
            if (!e.elf().loads(vaddr)) continue;
            SymbolTable.Hit hit = e.dataSymbols().lookup(vaddr);
            if (hit == null) return null;
            // a C++ static is mangled (HotSpot's "_ZL8tc_mutex" is tc_mutex)
            String name = Demangler.demangle(hit.name());
            return hit.offset() == 0 ? name : name + "+0x" + Long.toHexString(hit.offset());
        }
        return null;
    }

    /** A frame in anonymous executable memory, named by the process's perf map if it has one. */
    public Frame jitFrame(int pid, long addr, boolean returnAddress) {
        SymbolTable.Hit hit = jitLookup(pid, returnAddress ? addr - 1 : addr);
        return new Frame(Frame.Kind.JIT, addr, "[jit]", null, addr,
            hit == null ? null : hit.name(), hit == null ? 0 : hit.offset() + (returnAddress ? 1 : 0));
    }

    /** Build id of a mapped file as seen by pid, or null. */
    public String buildIdOf(int pid, String path) {
        if (path == null || !path.startsWith("/")) return null;
        ElfCache.Entry e = elfOf(pid, path);
        return e.elf() == null ? null : e.elf().buildId();
    }

    /** An ELF file a process maps, and the path we read it through. */
    public record MappedFile(Path path, ElfFile elf) {}

    /** The ELF file behind a mapping of pid (as elfOf finds it), or null if unreadable or not ELF. */
    public MappedFile mappedFile(int pid, String path) {
        if (path == null || !path.startsWith("/")) return null;
        Resolved r = resolve(pid, path);
        return r.entry().elf() == null ? null : new MappedFile(r.path(), r.entry().elf());
    }

    private ElfCache.Entry elfOf(int pid, String path) {
        return resolve(pid, path).entry();
    }

    /** A mapped file found, and the path it was read through. */
    private record Resolved(Path path, ElfCache.Entry entry) {}

    /** The file as pid sees it (its mount namespace, through /proc/PID/root), else as we see it; once per pid and path. */
    private Resolved resolve(int pid, String path) {
        return filesByPidPath.computeIfAbsent(pid + ":" + path, k -> {
            Path inRoot = procRoot.resolve(Integer.toString(pid)).resolve("root").resolve(path.substring(1));
            ElfCache.Entry e = elves.get(inRoot);
            return e.elf() != null ? new Resolved(inRoot, e) : new Resolved(Path.of(path), elves.get(Path.of(path)));
        });
    }

    private SymbolTable.Hit jitLookup(int pid, long addr) {
        SymbolTable t = perfMaps.computeIfAbsent(pid, p -> {
            try {
                if (PerfMap.olderThanItsProcess(p)) return SymbolTable.EMPTY;
                SymbolTable s = PerfMap.read(PerfMap.pathFor(p));
                return s == null ? SymbolTable.EMPTY : s;
            } catch (IOException e) {
                return SymbolTable.EMPTY;
            }
        });
        return t.lookup(addr);
    }

    /**
     * The mapping of a program's code from what exec reported (the kernel's
     * start_code/end_code and the path given to execve), for a process gone
     * before /proc could be read: the executable PT_LOAD segment is mapped
     * page-aligned at start_code. Null if the file cannot be read.
     */
    public ProcessMaps.Mapping codeMapping(int pid, String path, long startCode, long endCode) {
        if (path == null || !path.startsWith("/") || startCode == 0 || endCode <= startCode) return null;
        ElfCache.Entry e = elfOf(pid, path);
        if (e.elf() == null) return null;
        for (ElfFile.Segment s : e.elf().segments()) {
            if (!s.executable()) continue;
            long page = 4096;
            return new ProcessMaps.Mapping(startCode & -page, (endCode + page - 1) & -page, s.offset() & -page, path, true);
        }
        return null;
    }

    /** A process exec'd: the files it saw under its paths may have changed. */
    public void forgetProcess(int pid) {
        String prefix = pid + ":";
        filesByPidPath.keySet().removeIf(k -> k.startsWith(prefix));
        perfMaps.remove(pid);
    }

    /** Forgets perf maps read so far: a JIT writes more as it compiles. */
    public void reloadPerfMaps() {
        perfMaps.clear();
    }
}
