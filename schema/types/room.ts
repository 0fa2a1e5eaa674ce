// Host room links: `proctor room <interview>` asks for one; the room page exchanges it.
import type { RoomEntry, RoomLink } from '../../server/services/rooms.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';

const RoomLinkType = builder.objectRef<RoomLink>('RoomLink').implement({
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Open in a browser: logs this host into the interview room' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'Open it before this (PROCTOR_ROOM_LINK_TTL)' }),
  }),
});

const RoomEntryType = builder.objectRef<RoomEntry>('RoomEntry').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: "A room login: this interview's room only (watch, ping, media), until the interview ends or expiresAt" }),
    interviewId: t.exposeID('interviewId'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'At the latest (PROCTOR_ROOM_SESSION_TTL)' }),
  }),
});

builder.mutationField('createRoomLink', (t) =>
  t.field({
    type: RoomLinkType,
    description: "Hosts only: a short-lived link to the interview's room page",
    args: { interviewId: t.arg.id({ required: true }) },
    resolve: (_root, { interviewId }, ctx) => ctx.services.rooms.createLink(orgActor(ctx), interviewId),
  }),
);

builder.mutationField('enterRoom', (t) =>
  t.field({
    type: RoomEntryType,
    description: "Exchanges a room link's token, once, for a room login",
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, ctx) => ctx.services.rooms.enter(token),
  }),
);
