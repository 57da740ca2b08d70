package dev.berth.cli.session;

import dev.berth.cli.Group;
import picocli.CommandLine.Command;

@Command(name = "session", description = "Create, list, inspect, follow and remove sessions (/v1/sessions).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {CreateCommand.class, ListCommand.class, GetCommand.class, LogsCommand.class, EventsCommand.class,
                RmCommand.class, RenameCommand.class})
public final class SessionCommand extends Group {}
