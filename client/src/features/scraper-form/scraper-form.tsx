/**
 * Creates or edits a scraper: its definition as YAML, name, slug (on creation), source, schedule,
 * missed-run policy and retries. The server validates; each problem it reports is shown at its
 * field, and a definition problem on its line of the YAML.
 */
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql/gql';
import type { MissedRunPolicy, ScraperDefinitionFieldsFragment } from '@/gql/graphql';
import { CronPreview, useCronPreview } from './cron-preview';
import { NO_PROBLEMS, placeError, placeIssues, problemCount, type FieldName, type FormProblems } from './form-problems';
import { goToLine, YamlEditor } from './yaml-editor';
import { definitionToYaml, yamlSyntaxProblems } from './yaml-lines';

const CreateScraperMutation = graphql(`
  mutation CreateScraper($input: CreateScraperInput!) {
    createScraper(input: $input) {
      __typename
      ... on MutationCreateScraperSuccess {
        data {
          ...ScraperDefinitionFields
        }
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const UpdateScraperMutation = graphql(`
  mutation UpdateScraper($id: ID!, $input: UpdateScraperInput!) {
    updateScraper(id: $id, input: $input) {
      __typename
      ... on MutationUpdateScraperSuccess {
        data {
          ...ScraperDefinitionFields
        }
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const NEW_SOURCE = 'new';
// Intl lists UTC under Etc/ names only in some engines; it is the default, so it comes first.
const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
const STARTER = `format: html
urls:
  - https://example.com/menu
items: li.product
fields:
  sku: { attr: data-sku }
  name: .name
  price: .price
`;

type Source = { id: string; name: string };

export function ScraperForm({ scraper, sources, onSaved }: { scraper: ScraperDefinitionFieldsFragment | null; sources: Source[]; onSaved: (saved: { slug: string; name: string }) => void }) {
  const [initialYaml] = useState(() => (scraper ? definitionToYaml(scraper.config) : STARTER));
  const [yaml, setYaml] = useState(initialYaml);
  const [name, setName] = useState(scraper?.name ?? '');
  const [slug, setSlug] = useState(scraper?.slug ?? '');
  const [sourceId, setSourceId] = useState(scraper?.source.id ?? sources[0]?.id ?? NEW_SOURCE);
  const [sourceName, setSourceName] = useState('');
  const [sourceUrl, setSourceUrl] = useState('');
  const [cron, setCron] = useState(scraper?.cron ?? '');
  const [timezone, setTimezone] = useState(scraper?.timezone ?? 'UTC');
  const [enabled, setEnabled] = useState(scraper?.enabled ?? true);
  const [missedRunPolicy, setMissedRunPolicy] = useState<MissedRunPolicy>(scraper?.missedRunPolicy ?? 'RUN_ONCE');
  const [maxRetries, setMaxRetries] = useState(String(scraper?.maxRetries ?? 2));
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const [create, createScraper] = useMutation(CreateScraperMutation);
  const [update, updateScraper] = useMutation(UpdateScraperMutation);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const busy = create.fetching || update.fetching;
  const preview = useCronPreview(cron, timezone);
  // Once the server has read what is typed, its live answer replaces what it said at the last save.
  const shown: FormProblems['fields'] = preview.settled ? { ...problems.fields, cron: preview.problems.cron, timezone: preview.problems.timezone } : problems.fields;

  // Syntax errors are found as the person types; the definition's rules are the server's to check.
  const syntax = useMemo(() => yamlSyntaxProblems(yaml), [yaml]);
  const configProblems = syntax.length ? syntax : problems.config;
  const marked = useMemo(() => new Set(configProblems.flatMap((p) => (p.line == null ? [] : [p.line]))), [configProblems]);
  const count = problemCount({ fields: shown, config: configProblems });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (syntax.length) {
      setProblems(NO_PROBLEMS);
      if (textarea.current && syntax[0]!.line) goToLine(textarea.current, syntax[0]!.line);
      return;
    }
    const retries = maxRetries.trim() === '' ? NaN : Number(maxRetries);
    if (!Number.isInteger(retries)) {
      const next = { fields: { maxRetries: ['must be a whole number from 0 to 10'] }, config: [] };
      setProblems(next);
      return focusFirstProblem(next);
    }
    const common = { name: name.trim(), cron: cron.trim() || null, timezone: timezone.trim(), missedRunPolicy, maxRetries: retries };
    const source = sourceId === NEW_SOURCE ? { source: { name: sourceName.trim(), url: sourceUrl.trim() } } : { sourceId };
    const result = scraper
      ? // An untouched definition is not sent: changing the schedule does not ask the server to judge it again.
        await updateScraper({ id: scraper.id, input: { ...common, enabled, sourceId, ...(yaml === initialYaml ? {} : { config: yaml }) } })
      : await createScraper({ input: { ...common, ...source, enabled, config: yaml, slug: slug.trim() } });
    const outcome = result.data && ('createScraper' in result.data ? result.data.createScraper : result.data.updateScraper);
    let next: FormProblems = NO_PROBLEMS;
    if (result.error) next = { fields: { form: [result.error.message.replace(/^\[(GraphQL|Network)\] /, '')] }, config: [] };
    else if (outcome?.__typename === 'ValidationError') next = placeIssues(outcome.issues, yaml);
    else if (outcome && 'message' in outcome) next = placeError(outcome);
    else if (outcome && 'data' in outcome) return onSaved(outcome.data);
    setProblems(next);
    focusFirstProblem(next);
  }

  /** The first field with a problem takes focus (the definition's on its line); else the summary does. */
  function focusFirstProblem(next: FormProblems) {
    requestAnimationFrame(() => {
      const line = next.config.find((p) => p.line != null)?.line;
      if (next.config.length && textarea.current) {
        if (line) goToLine(textarea.current, line);
        else textarea.current.focus();
        return;
      }
      const first = ORDER.find((field) => next.fields[field]?.length);
      const el = first && first !== 'form' ? document.getElementById(`scraper-${first}`) : null;
      (el ?? summary.current)?.focus();
    });
  }

  const field = (id: FieldName) => {
    const described = [HINTS[id] && `scraper-${id}-hint`, shown[id]?.length && `scraper-${id}-problem`, id === 'cron' && 'scraper-cron-preview']
      .filter(Boolean)
      .join(' ');
    return { id: `scraper-${id}`, 'aria-invalid': shown[id]?.length ? true : undefined, 'aria-describedby': described || undefined };
  };

  return (
    <form className="scraper-form" onSubmit={submit} noValidate aria-labelledby="scraper-form-title">
      <div ref={summary} tabIndex={-1} role="alert" className={count ? 'field-error form-summary' : 'visually-hidden'}>
        {count > 0 && (
          <>
            {count === 1 ? 'One problem' : `${count} problems`} to fix before saving; each is shown at its field.
            <FieldProblem id="form" problems={problems.fields.form} inline />
          </>
        )}
      </div>
      <section className="card scraper-form__definition" aria-label="Definition">
        <label htmlFor="scraper-config">
          Definition (YAML)
        </label>
        <p className="muted hint" id="scraper-config-hint">
          What the runner executes: format, urls or skus, items, fields, pagination, rate limits. Comments are not kept.
        </p>
        <YamlEditor
          id="scraper-config"
          value={yaml}
          onChange={setYaml}
          marked={marked}
          invalid={configProblems.length > 0}
          textareaRef={textarea}
          describedBy={configProblems.length ? 'scraper-config-hint scraper-config-problems' : 'scraper-config-hint'}
        />
        {configProblems.length > 0 && (
          <ul className="field-error config-problems" id="scraper-config-problems" data-testid="config-problems">
            {configProblems.map((p, i) => (
              <li key={i} data-line={p.line ?? undefined}>
                {p.line != null && (
                  <button type="button" className="link-button" onClick={() => textarea.current && goToLine(textarea.current, p.line!)}>
                    Line {p.line}
                  </button>
                )}
                {p.line != null && ' · '}
                {p.path && <code>{p.path}</code>}
                {p.path && ': '}
                {p.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card scraper-form__settings" aria-label="Settings">
        <Field label="Name" id="name" problems={problems.fields.name}>
          <input {...field('name')} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        {scraper ? (
          <p className="scraper-form__fixed">
            <span className="muted">Slug</span> <code>{scraper.slug}</code>
          </p>
        ) : (
          <Field label="Slug" id="slug" problems={problems.fields.slug}>
            <input {...field('slug')} value={slug} onChange={(e) => setSlug(e.target.value)} spellCheck={false} autoComplete="off" />
          </Field>
        )}
        <Field label="Source" id="source" problems={problems.fields.source}>
          <select {...field('source')} value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
            {!scraper && <option value={NEW_SOURCE}>New source…</option>}
          </select>
        </Field>
        {sourceId === NEW_SOURCE && (
          <>
            <Field label="New source name" id="sourceName" problems={problems.fields.sourceName}>
              <input {...field('sourceName')} value={sourceName} onChange={(e) => setSourceName(e.target.value)} autoComplete="off" />
            </Field>
            <Field label="New source URL" id="sourceUrl" problems={problems.fields.sourceUrl}>
              <input {...field('sourceUrl')} type="url" value={sourceUrl} onChange={(e) => setSourceUrl(e.target.value)} placeholder="https://shop.example/menu" />
            </Field>
          </>
        )}
        <Field label="Cron" id="cron" problems={shown.cron}>
          <input {...field('cron')} value={cron} onChange={(e) => setCron(e.target.value)} placeholder="*/15 * * * *" spellCheck={false} autoComplete="off" />
          <CronPreview id="scraper-cron-preview" preview={preview} />
        </Field>
        <Field label="Time zone" id="timezone" problems={shown.timezone}>
          <input {...field('timezone')} value={timezone} onChange={(e) => setTimezone(e.target.value)} list="time-zones" spellCheck={false} autoComplete="off" />
        </Field>
        <datalist id="time-zones">
          {TIME_ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <Field label="Missed runs" id="missedRunPolicy" problems={problems.fields.missedRunPolicy}>
          <select {...field('missedRunPolicy')} value={missedRunPolicy} onChange={(e) => setMissedRunPolicy(e.target.value as MissedRunPolicy)}>
            <option value="RUN_ONCE">Run the latest missed one once</option>
            <option value="SKIP">Skip them</option>
          </select>
        </Field>
        <Field label="Retries" id="maxRetries" problems={problems.fields.maxRetries}>
          <input {...field('maxRetries')} type="number" min={0} max={10} step={1} inputMode="numeric" value={maxRetries} onChange={(e) => setMaxRetries(e.target.value)} />
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <div className="actions">
          <button type="submit" className="button button--primary" aria-disabled={busy || undefined}>
            {scraper ? 'Save changes' : 'Create scraper'}
          </button>
          {busy && (
            <span className="muted" role="status">
              Saving…
            </span>
          )}
        </div>
      </section>
    </form>
  );
}

/** The order fields take focus in when several have problems: the order on screen. */
const ORDER: FieldName[] = ['form', 'name', 'slug', 'source', 'sourceName', 'sourceUrl', 'cron', 'timezone', 'missedRunPolicy', 'maxRetries', 'enabled'];

/** What a field wants, shown under its label and read with it. */
const HINTS: Partial<Record<FieldName, string>> = {
  slug: 'Lowercase letters, digits and dashes; it names the scraper in URLs and cannot change.',
  cron: 'Five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly; empty: runs only when triggered.',
  timezone: 'The IANA zone the cron schedule is read in; type to search the list (Europe/Berlin, America/New_York, UTC).',
  missedRunPolicy: 'When the server was down at a scheduled time.',
  maxRetries: 'How often a failed run is tried again, 0 to 10.',
};

function Field({ label, id, problems, children }: { label: string; id: FieldName; problems?: string[]; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={`scraper-${id}`}>{label}</label>
      {HINTS[id] && (
        <span className="muted hint" id={`scraper-${id}-hint`}>
          {HINTS[id]}
        </span>
      )}
      {children}
      <FieldProblem id={id} problems={problems} />
    </div>
  );
}

function FieldProblem({ id, problems, inline }: { id: FieldName; problems?: string[]; inline?: boolean }) {
  if (!problems?.length) return null;
  return (
    <span id={`scraper-${id}-problem`} className={inline ? 'cell-line' : 'field-error field-problem'}>
      {problems.join(' ')}
    </span>
  );
}
