package dev.berth.agent.runtime;

/**
 * One reading of a kernel's resource counters, cumulative since it started; the agent turns two
 * readings into rates.
 *
 * @param cpuNanos CPU time used by all of the kernel's processes
 */
public record Usage(long cpuNanos, long memBytes, long memPeakBytes, long netRxBytes, long netTxBytes,
                    long ioReadBytes, long ioWriteBytes) {}
