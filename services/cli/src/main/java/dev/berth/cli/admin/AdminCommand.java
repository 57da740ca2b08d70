package dev.berth.cli.admin;

import dev.berth.cli.Group;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth admin <entity> list|get|create|update|rm}: one command per entity of the admin API, added by {@link #addEntities}, and {@code berth admin config}. */
@Command(name = "admin", description = "The admin API (/v1/admin): superadmins and domain admins.",
        synopsisSubcommandLabel = "ENTITY COMMAND")
public final class AdminCommand extends Group {

    /** Picocli makes subcommands from classes; these differ only by entity, so they are made here, one per entity. */
    public static void addEntities(CommandLine admin) {
        for (AdminEntity entity : AdminEntity.values()) {
            CommandLine command = new CommandLine(new EntityCommand(entity));
            command.getCommandSpec().usageMessage().description("The " + entity.path() + " of the admin API (" + entity.base() + ").");
            admin.addSubcommand(entity.path(), command);
        }
        admin.addSubcommand("config", new CommandLine(new dev.berth.cli.config.ConfigCommand()));
    }
}
