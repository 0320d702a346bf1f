import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Translator } from '../../engine/ports';
import { staffOf } from '../staff.guard';
import type { ConsoleAssets } from './console.assets';
import { languageOf, pageText } from './console.i18n';
import type { Frame, Viewer } from './console.layout';

/** What the page modules share: the frame of a request (language, nonce, assets) and how to answer. */
export interface PageKit {
  frame(request: FastifyRequest): Frame;
  /** The signed-in person of a guarded page. */
  viewer(request: FastifyRequest): Viewer;
  send(reply: FastifyReply, page: string, status?: number): FastifyReply;
  /** 303 See Other: after a form post, the browser GETs the next page (no re-post on reload). */
  redirect(reply: FastifyReply, location: string): FastifyReply;
}

const nonces = new WeakMap<FastifyRequest, string>();

/** A fresh nonce per response: the only scripts that run are ours, loaded from our origin. */
export function issueNonce(request: FastifyRequest): string {
  const nonce = randomBytes(16).toString('base64');
  nonces.set(request, nonce);
  return nonce;
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageKit(translator: Translator, assets: ConsoleAssets): PageKit {
  return {
    frame(request) {
      const nonce = nonces.get(request);
      if (nonce === undefined) throw new Error('console page without a nonce');
      return { text: pageText(translator, languageOf(request).lng), nonce, assets, path: request.url.split('?')[0] ?? '/staff' };
    },
    viewer(request) {
      const { account, session } = staffOf(request);
      return { name: account.name, roles: account.roles, csrfToken: session.csrfToken };
    },
    send: (reply, page, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page),
    redirect: (reply, location) => reply.code(303).header('location', location).send(),
  };
}
