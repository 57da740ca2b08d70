package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HostTest {

    @Test
    @DisplayName("RES-11 the JVM's amd64 is reported as x86_64; aarch64 stays as it is")
    void architectureAsImagesNameIt() {
        assertEquals("x86_64", Host.architecture("amd64"));
        assertEquals("aarch64", Host.architecture("aarch64"));
    }
}
