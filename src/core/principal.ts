/** userIdentity -> Principal: who made a call, how, and a line a person can read. */
export { type ChannelInput, classifyChannel } from './principal/channel.js';
export { type PrincipalInput, principalOf, principalOfEvent } from './principal/principal-of.js';
