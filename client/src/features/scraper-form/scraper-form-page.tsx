/** /scrapers/new and /scrapers/:slug/edit: a scraper's definition and settings, for admins. */
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { graphql } from '@/gql/gql';
import { useCanMutate } from '@/lib/session';
import { ScraperForm } from './scraper-form';
import { usePageTitle } from '@/hooks/use-page-title';

// Spread by the query and both mutations of the form (codegen reads it from here).
graphql(`
  fragment ScraperDefinitionFields on Scraper {
    id
    slug
    name
    cron
    timezone
    enabled
    paused
    maxRetries
    missedRunPolicy
    config
    source {
      id
      name
    }
  }
`);

const ScraperSourcesQuery = graphql(`
  query ScraperSources {
    sources {
      id
      name
    }
  }
`);

const ScraperDefinitionQuery = graphql(`
  query ScraperDefinition($slug: String!) {
    scraper(slug: $slug) {
      ...ScraperDefinitionFields
    }
  }
`);

export function ScraperFormPage() {
  const { slug } = useParams();
  const canMutate = useCanMutate();
  const navigate = useNavigate();
  const [sources, refetchSources] = useQuery({ query: ScraperSourcesQuery, pause: !canMutate });
  const [definition, refetchDefinition] = useQuery({ query: ScraperDefinitionQuery, variables: { slug: slug ?? '' }, pause: !slug || !canMutate });
  const title = slug ? 'Edit scraper' : 'New scraper';
  usePageTitle(title, definition.data?.scraper?.name);

  const body = () => {
    if (!canMutate) return <Empty>Only admins create and edit scrapers.</Empty>;
    const error = sources.error ?? definition.error;
    if (error) return <ErrorMessage error={error} retry={() => (refetchSources({ requestPolicy: 'network-only' }), slug && refetchDefinition({ requestPolicy: 'network-only' }))} />;
    if (!sources.data || (slug && !definition.data)) return <Loading />;
    const scraper = definition.data?.scraper ?? null;
    if (slug && !scraper) return <ErrorMessage error={`There is no scraper “${slug}”.`} />;
    return (
      <ScraperForm
        key={scraper?.id ?? 'new'}
        scraper={scraper}
        sources={sources.data.sources}
        onSaved={(saved) => navigate('/scrapers', { state: { saved: `Saved ${saved.name}.` } })}
      />
    );
  };

  return (
    <>
      <p className="breadcrumb">
        <Link to="/scrapers">Scrapers</Link> / {slug ?? 'new'}
      </p>
      <h1 id="scraper-form-title">
        {title}
        {definition.data?.scraper && <span className="muted"> · {definition.data.scraper.name}</span>}
      </h1>
      {body()}
    </>
  );
}
