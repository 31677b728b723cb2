package dev.profiler.recorder.bpf;

/** Loading or running the BPF side failed; the message is one line for the user. */
public class BpfException extends Exception {
    public BpfException(String message) {
        super(message);
    }
}
