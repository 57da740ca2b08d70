package dev.berth.topology.usage;

/** Told about stats samples metering did not count, so that a service can count them by reason. */
public interface UsageObserver {

    UsageObserver NONE = reason -> { };

    void rejected(Metering.Reason reason);
}
