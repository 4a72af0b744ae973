"""django-ogc-sensorthings 1.2.0's Django ORM adapter, with one fix: an Observation's phenomenonTime
may be a period (`start/end`, SensorThings v1.1 section 9.2.4: TM_Object). The model has
`phenomenon_time_begin` and `phenomenon_time_end` columns, but the stock adapter stores the whole
period text in the first (SQLite then refuses it: HTTP 500) and reads back only the begin. Here a
period is split on write and joined on read; instants are untouched. Nothing else is changed."""
from sensorthings.types import Absent
from sensorthings.versions.v1_1.backends.django.adapter import DjangoBackendAdapter
from sensorthings.versions.v1_1.backends.django.models import Observation


class PeriodAwareAdapter(DjangoBackendAdapter):
    def create_observations(self, payload, context=None):
        ends = []
        for dto in payload:
            period = dto.phenomenon_time
            if period is not Absent and isinstance(period, str) and "/" in period:
                begin, end = period.split("/", 1)
                dto.phenomenon_time = begin
                ends.append(end)
            else:
                ends.append(None)
        ids = super().create_observations(payload, context=context)
        for pk, end in zip(ids, ends):
            if end is not None:
                Observation.objects.filter(pk=pk).update(phenomenon_time_end=end)
        return ids

    def get_observations(self, *args, **kwargs):
        result = super().get_observations(*args, **kwargs)
        ends = dict(
            Observation.objects.filter(pk__in=list(result.entities.keys()), phenomenon_time_end__isnull=False)
            .values_list("pk", "phenomenon_time_end")
        )
        for pk, dto in result.entities.items():
            end = ends.get(pk)
            if end is not None and isinstance(dto.phenomenon_time, str):
                dto.phenomenon_time = dto.phenomenon_time + "/" + end.isoformat()
        return result
