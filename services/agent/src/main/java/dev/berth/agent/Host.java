package dev.berth.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** What an agent tells the scheduler about the machine it runs on. */
record Host(String address, String architecture) {

    static Host local() {
        return new Host(hostname(), architecture(System.getProperty("os.arch")));
    }

    /** Images name architectures as uname does (RES-11); the JVM calls x86-64 {@code amd64}. */
    static String architecture(String osArch) {
        return "amd64".equals(osArch) ? "x86_64" : osArch;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
