package dev.berth.cli.admin;

import dev.berth.cli.Group;
import picocli.CommandLine.Command;

/** The commands of one admin entity; its leaves find the entity through their parent. */
@Command(synopsisSubcommandLabel = "COMMAND",
        subcommands = {ListEntities.class, GetEntity.class, CreateEntity.class, UpdateEntity.class, RemoveEntity.class})
final class EntityCommand extends Group {

    static final String KEY = "Its key: a domain's, project's, policy's, group's or preset's name, a user's id, a keypair's access key,"
            + " an image's name:tag.";

    final AdminEntity entity;

    EntityCommand(AdminEntity entity) {
        this.entity = entity;
    }
}
